import type { NAdamScalars } from '../options/scalars.ts';
import { add, div, f32, l2, mul, sqrt, torchLerp } from './f32.ts';

/** The code paths of shaders/nadam.wgsl's kernel (its override constants), as booleans. */
export interface NAdamFlags {
  /** Negate the gradient first (the MAXIMIZE override). */
  maximize: boolean;
  /** Decoupled weight decay instead of L2 (the DECOUPLED override). */
  decoupled: boolean;
  /** Rounds a state value as it is stored (stateDtype); default f32. */
  store?: (x: number) => number;
}

/** Line-by-line twin of shaders/nadam.wgsl. Updates `param` and the state arrays in place. */
export function nadamKernel(
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  u: NAdamScalars,
  flags: NAdamFlags,
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
    const denom = add(sqrt(div(s, u.bias_correction2)), u.eps);
    p = add(p, div(mul(u.grad_coef, g), denom));
    p = add(p, div(mul(u.avg_coef, m), denom));
    param[i] = p;
  }
}
