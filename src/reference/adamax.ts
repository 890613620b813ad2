import type { AdamaxScalars } from '../options/scalars.ts';
import { add, div, f32, l2, mul, sub, torchLerp } from './f32.ts';

/** The code paths of shaders/adamax.wgsl's kernel (its override constants), as booleans. */
export interface AdamaxFlags {
  /** Negate the gradient first (the MAXIMIZE override). */
  maximize: boolean;
  /**
   * Rounds a state value as it is stored (stateDtype: roundToF16 or roundToBf16); the update
   * itself uses the unrounded value, as the shader does in registers. Default: f32.
   */
  store?: (x: number) => number;
}

/** Line-by-line twin of shaders/adamax.wgsl. Updates `param` and the state arrays in place. */
export function adamaxKernel(
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expInf: Float32Array,
  u: AdamaxScalars,
  flags: AdamaxFlags,
): void {
  const store = flags.store ?? f32;
  for (let i = 0; i < param.length; i++) {
    const p = param[i] as number;
    let g = grad[i] as number;
    if (flags.maximize) g = -g;
    g = l2(g, p, u.weight_decay);
    const m = torchLerp(expAvg[i] as number, g, u.one_minus_beta1);
    expAvg[i] = store(m);
    const inf = Math.max(mul(expInf[i] as number, u.beta2), add(Math.abs(g), u.eps));
    expInf[i] = store(inf);
    param[i] = sub(p, mul(u.clr, div(m, inf)));
  }
}
