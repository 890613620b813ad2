import type { RmspropScalars } from '../options/scalars.ts';
import { add, div, f32, l2, mul, sqrt, sub, torchLerp } from './f32.ts';

/** The code paths of shaders/rmsprop.wgsl's kernel (its override constants), as booleans. */
export interface RmspropFlags {
  /** Negate the gradient first (the MAXIMIZE override). */
  maximize: boolean;
  /** Centered RMSprop: subtract grad_avg² (the CENTERED override). */
  centered: boolean;
  /** Momentum is non-zero: keep and use `momentum_buffer` (the MOMENTUM override). */
  momentum: boolean;
  /** ε under the square root (the EPS_INSIDE_SQRT override). */
  epsInsideSqrt: boolean;
  /**
   * Rounds a state value as it is stored (stateDtype: roundToF16 or roundToBf16); the update
   * itself uses the unrounded value, as the shader does in registers. Default: f32.
   */
  store?: (x: number) => number;
}

/**
 * Line-by-line twin of shaders/rmsprop.wgsl. Updates `param` and the state arrays in place;
 * `momentumBuffer` and `gradAvg` are used only when their flags are set.
 */
export function rmspropKernel(
  param: Float32Array,
  grad: Float32Array,
  squareAvg: Float32Array,
  momentumBuffer: Float32Array | undefined,
  gradAvg: Float32Array | undefined,
  u: RmspropScalars,
  flags: RmspropFlags,
): void {
  const store = flags.store ?? f32;
  for (let i = 0; i < param.length; i++) {
    let p = param[i] as number;
    let g = grad[i] as number;
    if (flags.maximize) g = -g;
    g = l2(g, p, u.weight_decay);
    const sq = add(mul(squareAvg[i] as number, u.alpha), mul(mul(u.one_minus_alpha, g), g));
    squareAvg[i] = store(sq);
    let v = sq;
    if (flags.centered && gradAvg) {
      const ga = torchLerp(gradAvg[i] as number, g, u.one_minus_alpha);
      gradAvg[i] = store(ga);
      v = sub(sq, mul(ga, ga));
    }
    const avg = flags.epsInsideSqrt ? sqrt(add(v, u.eps)) : add(sqrt(v), u.eps);
    if (flags.momentum && momentumBuffer) {
      const buf = add(mul(momentumBuffer[i] as number, u.momentum), div(g, avg));
      momentumBuffer[i] = store(buf);
      p = sub(p, mul(u.lr, buf));
    } else {
      p = sub(p, mul(u.lr, div(g, avg)));
    }
    param[i] = p;
  }
}
