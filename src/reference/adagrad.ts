import type { AdagradScalars } from '../options/scalars.ts';
import { add, div, f32, l2, mul, sqrt, sub } from './f32.ts';

/** The code paths of shaders/adagrad.wgsl's kernel (its override constants), as booleans. */
export interface AdagradFlags {
  /** Negate the gradient first (the MAXIMIZE override). */
  maximize: boolean;
  /** ε under the square root (the EPS_INSIDE_SQRT override). */
  epsInsideSqrt: boolean;
  /**
   * Rounds a state value as it is stored (stateDtype: roundToF16 or roundToBf16); the update
   * itself uses the unrounded value, as the shader does in registers. Default: f32.
   */
  store?: (x: number) => number;
}

/** Line-by-line twin of shaders/adagrad.wgsl. Updates `param` and `sum` in place. */
export function adagradKernel(
  param: Float32Array,
  grad: Float32Array,
  sum: Float32Array,
  u: AdagradScalars,
  flags: AdagradFlags,
): void {
  const store = flags.store ?? f32;
  for (let i = 0; i < param.length; i++) {
    let p = param[i] as number;
    let g = grad[i] as number;
    if (flags.maximize) g = -g;
    g = l2(g, p, u.weight_decay);
    const s = add(sum[i] as number, mul(g, g));
    sum[i] = store(s);
    const std = flags.epsInsideSqrt ? sqrt(add(s, u.eps)) : add(sqrt(s), u.eps);
    p = sub(p, mul(u.clr, div(g, std)));
    param[i] = p;
  }
}
