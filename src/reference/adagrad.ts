import type { AdagradScalars } from '../options/scalars.ts';
import { add, div, l2, mul, sqrt, sub } from './f32.ts';

export interface AdagradFlags {
  maximize: boolean;
  epsInsideSqrt: boolean;
}

/** Line-by-line twin of shaders/adagrad.wgsl. Updates `param` and `sum` in place. */
export function adagradKernel(
  param: Float32Array,
  grad: Float32Array,
  sum: Float32Array,
  u: AdagradScalars,
  flags: AdagradFlags,
): void {
  for (let i = 0; i < param.length; i++) {
    let p = param[i] as number;
    let g = grad[i] as number;
    if (flags.maximize) g = -g;
    g = l2(g, p, u.weight_decay);
    const s = add(sum[i] as number, mul(g, g));
    sum[i] = s;
    const std = flags.epsInsideSqrt ? sqrt(add(s, u.eps)) : add(sqrt(s), u.eps);
    p = sub(p, mul(u.clr, div(g, std)));
    param[i] = p;
  }
}
