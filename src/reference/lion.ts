import type { LionScalars } from '../options/scalars.ts';
import { add, f32, mul, sub } from './f32.ts';

/** The code paths of shaders/lion.wgsl's kernel (its override constants), as booleans. */
export interface LionFlags {
  /** Negate the gradient first (the MAXIMIZE override). */
  maximize: boolean;
  /**
   * Rounds a state value as it is stored (stateDtype: roundToF16 or roundToBf16); the update
   * itself uses the unrounded value, as the shader does in registers. Default: f32.
   */
  store?: (x: number) => number;
}

/** Line-by-line twin of shaders/lion.wgsl. Updates `param` and `expAvg` in place. */
export function lionKernel(
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  u: LionScalars,
  flags: LionFlags,
): void {
  const store = flags.store ?? f32;
  for (let i = 0; i < param.length; i++) {
    let g = grad[i] as number;
    if (flags.maximize) g = -g;
    const m = expAvg[i] as number;
    let p = mul(param[i] as number, u.decay_factor);
    const c = add(mul(m, u.beta1), mul(u.one_minus_beta1, g));
    p = sub(p, mul(u.lr, Math.sign(c)));
    expAvg[i] = store(add(mul(m, u.beta2), mul(u.one_minus_beta2, g)));
    param[i] = p;
  }
}
