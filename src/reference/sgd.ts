import type { SgdScalars } from '../options/scalars.ts';
import { add, f32, l2, mul, sub } from './f32.ts';

/** The code paths of shaders/sgd.wgsl's kernel (its override constants), as booleans. */
export interface SgdFlags {
  /** Negate the gradient first (the MAXIMIZE override). */
  maximize: boolean;
  /** Momentum is non-zero: keep and use `momentum_buffer` (the MOMENTUM override). */
  momentum: boolean;
  /** Nesterov momentum: g + momentum · buf (the NESTEROV override). */
  nesterov: boolean;
  /**
   * Rounds a state value as it is stored (stateDtype: roundToF16 or roundToBf16); the update
   * itself uses the unrounded value, as the shader does in registers. Default: f32.
   */
  store?: (x: number) => number;
}

/**
 * Line-by-line twin of shaders/sgd.wgsl. Updates `param` and `momentumBuffer` in place.
 * `u` holds f32-rounded scalars.
 */
export function sgdKernel(
  param: Float32Array,
  grad: Float32Array,
  momentumBuffer: Float32Array | undefined,
  u: SgdScalars,
  flags: SgdFlags,
): void {
  const store = flags.store ?? f32;
  for (let i = 0; i < param.length; i++) {
    let p = param[i] as number;
    let g = grad[i] as number;
    if (flags.maximize) g = -g;
    g = l2(g, p, u.weight_decay);
    if (flags.momentum && momentumBuffer) {
      let buf: number;
      if (u.first_step !== 0) buf = g;
      else buf = add(mul(momentumBuffer[i] as number, u.momentum), mul(u.one_minus_dampening, g));
      momentumBuffer[i] = store(buf);
      if (flags.nesterov) g = add(g, mul(u.momentum, buf));
      else g = buf;
    }
    p = sub(p, mul(u.lr, g));
    param[i] = p;
  }
}
