import type { AdadeltaScalars } from '../options/scalars.ts';
import { add, div, f32, l2, mul, sqrt, sub } from './f32.ts';

/** The code paths of shaders/adadelta.wgsl's kernel (its override constants), as booleans. */
export interface AdadeltaFlags {
  /** Negate the gradient first (the MAXIMIZE override). */
  maximize: boolean;
  /**
   * Rounds a state value as it is stored (stateDtype: roundToF16 or roundToBf16); the update
   * itself uses the unrounded value, as the shader does in registers. Default: f32.
   */
  store?: (x: number) => number;
}

/** Line-by-line twin of shaders/adadelta.wgsl. Updates `param` and the state arrays in place. */
export function adadeltaKernel(
  param: Float32Array,
  grad: Float32Array,
  squareAvg: Float32Array,
  accDelta: Float32Array,
  u: AdadeltaScalars,
  flags: AdadeltaFlags,
): void {
  const store = flags.store ?? f32;
  for (let i = 0; i < param.length; i++) {
    const p = param[i] as number;
    let g = grad[i] as number;
    if (flags.maximize) g = -g;
    g = l2(g, p, u.weight_decay);
    const sq = add(mul(squareAvg[i] as number, u.rho), mul(mul(u.one_minus_rho, g), g));
    squareAvg[i] = store(sq);
    const stdDev = sqrt(add(sq, u.eps));
    const acc = accDelta[i] as number;
    const delta = mul(div(sqrt(add(acc, u.eps)), stdDev), g);
    accDelta[i] = store(add(mul(acc, u.rho), mul(mul(u.one_minus_rho, delta), delta)));
    param[i] = sub(p, mul(u.lr, delta));
  }
}
