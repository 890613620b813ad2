import type { AdamScalars } from '../options/scalars.ts';
import { add, div, f32, l2, mul, sqrt, sub, torchLerp } from './f32.ts';

/** The code paths of shaders/adam.wgsl's kernel (its override constants), as booleans. */
export interface AdamFlags {
  /** Negate the gradient first (the MAXIMIZE override). */
  maximize: boolean;
  /** AMSGrad: use the running max of exp_avg_sq (the AMSGRAD override). */
  amsgrad: boolean;
  /** AdamW's decoupled weight decay instead of L2 (the DECOUPLED override). */
  decoupled: boolean;
  /** ε under the square root (the EPS_INSIDE_SQRT override). */
  epsInsideSqrt: boolean;
  /**
   * Rounds a state value as it is stored (stateDtype: roundToF16 or roundToBf16); the update
   * itself uses the unrounded value, as the shader does in registers. Default: f32.
   */
  store?: (x: number) => number;
}

/**
 * Line-by-line twin of shaders/adam.wgsl (Adam and AdamW). Updates `param` and the state
 * arrays in place; `maxExpAvgSq` is used only with AMSGrad.
 */
export function adamKernel(
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  maxExpAvgSq: Float32Array | undefined,
  u: AdamScalars,
  flags: AdamFlags,
): void {
  const store = flags.store ?? f32;
  for (let i = 0; i < param.length; i++) {
    let p = param[i] as number;
    let g = grad[i] as number;
    if (flags.maximize) g = -g;
    if (flags.decoupled) p = mul(p, u.decay_factor);
    else g = l2(g, p, u.weight_decay);
    const m = torchLerp(expAvg[i] as number, g, u.one_minus_beta1);
    expAvg[i] = store(m);
    const s = add(mul(expAvgSq[i] as number, u.beta2), mul(mul(u.one_minus_beta2, g), g));
    expAvgSq[i] = store(s);
    let v = s;
    if (flags.amsgrad && maxExpAvgSq) {
      v = Math.max(maxExpAvgSq[i] as number, s);
      maxExpAvgSq[i] = store(v);
    }
    const denom = flags.epsInsideSqrt
      ? sqrt(add(div(v, u.bias_correction2), u.eps))
      : add(div(sqrt(v), u.bias_correction2_sqrt), u.eps);
    p = sub(p, mul(u.step_size, div(m, denom)));
    param[i] = p;
  }
}
