import type { RAdamScalars } from '../options/scalars.ts';
import { add, div, f32, l2, mul, sqrt, sub, torchLerp } from './f32.ts';

/** The code paths of shaders/radam.wgsl's kernel (its override constants), as booleans. */
export interface RAdamFlags {
  /** Negate the gradient first (the MAXIMIZE override). */
  maximize: boolean;
  /** Decoupled weight decay instead of L2 (the DECOUPLED override). */
  decoupled: boolean;
  /** Rounds a state value as it is stored (stateDtype); default f32. */
  store?: (x: number) => number;
}

/**
 * Line-by-line twin of shaders/radam.wgsl. Updates `param` and the state arrays in place; the
 * uniform's `rectified` picks the branch.
 */
export function radamKernel(
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  u: RAdamScalars,
  flags: RAdamFlags,
): void {
  const store = flags.store ?? f32;
  for (let i = 0; i < param.length; i++) {
    let p = param[i] as number;
    let g = grad[i] as number;
    if (flags.maximize) g = -g;
    if (flags.decoupled) p = mul(p, u.decay_factor);
    else g = l2(g, p, u.weight_decay);
    const ea = torchLerp(expAvg[i] as number, g, u.one_minus_beta1);
    expAvg[i] = store(ea);
    const s = add(mul(expAvgSq[i] as number, u.beta2), mul(mul(u.one_minus_beta2, g), g));
    expAvgSq[i] = store(s);
    const m = div(ea, u.bias_correction1);
    if (u.rectified !== 0) {
      const adaptive = mul(div(1, add(sqrt(s), u.eps)), u.bias_correction2_sqrt);
      p = sub(p, mul(mul(mul(m, u.lr), adaptive), u.rect));
    } else {
      p = sub(p, mul(m, u.lr));
    }
    param[i] = p;
  }
}
