import type { SgdScalars } from '../options/scalars.ts';
import { add, l2, mul, sub } from './f32.ts';

export interface SgdFlags {
  maximize: boolean;
  momentum: boolean;
  nesterov: boolean;
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
  for (let i = 0; i < param.length; i++) {
    let p = param[i] as number;
    let g = grad[i] as number;
    if (flags.maximize) g = -g;
    g = l2(g, p, u.weight_decay);
    if (flags.momentum && momentumBuffer) {
      let buf: number;
      if (u.first_step !== 0) buf = g;
      else buf = add(mul(momentumBuffer[i] as number, u.momentum), mul(u.one_minus_dampening, g));
      momentumBuffer[i] = buf;
      if (flags.nesterov) g = add(g, mul(u.momentum, buf));
      else g = buf;
    }
    p = sub(p, mul(u.lr, g));
    param[i] = p;
  }
}
