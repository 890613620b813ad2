import type { LambScalars } from '../options/scalars.ts';
import { add, div, f32, mul, sqrt, sub, torchLerp } from './f32.ts';
import { q8TensorSums, tensorSums } from './tensorSums.ts';

/** The code paths of shaders/lamb.wgsl's kernel (its override constants), as booleans. */
export interface LambFlags {
  /** Negate the gradient first (the MAXIMIZE override). */
  maximize: boolean;
  /** Rounds a state value as it is stored (stateDtype); the update uses the unrounded value. */
  store?: (x: number) => number;
  /**
   * The tensor's state is stored in 8 bits: its sums take shaders/tensor_sums_q8.wgsl's order
   * (q8TensorSums, bitwise) instead of an f64 sum. The state arrays passed in hold the
   * dequantised values; the caller requantises after the step.
   */
  q8?: boolean;
}

/** One element's new moments and its LAMB direction u (before the trust ratio). */
function lambDirection(
  p: number,
  g: number,
  expAvg: number,
  expAvgSq: number,
  u: LambScalars,
): { m: number; v: number; upd: number } {
  const m = torchLerp(expAvg, g, u.one_minus_beta1);
  const v = add(mul(expAvgSq, u.beta2), mul(mul(u.one_minus_beta2, g), g));
  const denom = add(div(sqrt(v), u.bias_correction2_sqrt), u.eps);
  let upd = mul(div(m, denom), u.inv_bias_correction1);
  if (u.weight_decay !== 0) upd = add(upd, mul(u.weight_decay, p));
  return { m, v, upd };
}

/** `tensor_ratio` of shaders/lamb.wgsl: ‖p‖ / ‖u‖ from the sums of p² and u², 1 if either is 0. */
export function lambRatio(sumP2: number, sumU2: number): number {
  const paramNorm = sqrt(sumP2);
  const updateNorm = sqrt(sumU2);
  if (paramNorm === 0 || updateNorm === 0) return 1;
  return div(paramNorm, updateNorm);
}

/**
 * Line-by-line twin of shaders/lamb.wgsl over one tensor: the tensor-sums pass (the sums of
 * p² and u² with the moments computed but not stored), the finalize pass (the trust ratio),
 * then the update, which recomputes the same moments and direction, stores the moments and
 * applies p ← p − lr·(ratio·u). Returns the trust ratio.
 */
export function lambKernel(
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  u: LambScalars,
  flags: LambFlags,
): number {
  const store = flags.store ?? f32;
  const g = (i: number) => (flags.maximize ? -(grad[i] as number) : (grad[i] as number));
  const sums = flags.q8 ? q8TensorSums : tensorSums;
  const [sumP2, sumU2] = sums(param.length, (i) => {
    const p = param[i] as number;
    const d = lambDirection(p, g(i), expAvg[i] as number, expAvgSq[i] as number, u);
    return [mul(p, p), mul(d.upd, d.upd), 0, 0];
  });
  const ratio = lambRatio(sumP2, sumU2);
  for (let i = 0; i < param.length; i++) {
    const p = param[i] as number;
    const d = lambDirection(p, g(i), expAvg[i] as number, expAvgSq[i] as number, u);
    expAvg[i] = store(d.m);
    expAvgSq[i] = store(d.v);
    param[i] = sub(p, mul(u.lr, mul(ratio, d.upd)));
  }
  return ratio;
}
