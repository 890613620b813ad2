import type { ScheduleFreeScalars } from '../options/scheduleFree.ts';
import { add, div, f32, l2, mul, sqrt, sub, torchLerp } from './f32.ts';

/**
 * Line-by-line twin of shaders/schedulefree.wgsl's step (SF_MODE 0). Updates `param` (y), `z`
 * and `expAvgSq` in place; `store` rounds a state value as it is stored (stateDtype).
 */
export function scheduleFreeKernel(
  param: Float32Array,
  grad: Float32Array,
  z: Float32Array,
  expAvgSq: Float32Array,
  u: ScheduleFreeScalars,
  store: (x: number) => number = f32,
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i] as number;
    const gIn = grad[i] as number;
    const zi = u.first_step !== 0 ? p : (z[i] as number);
    const v = add(mul(expAvgSq[i] as number, u.beta2), mul(mul(u.one_minus_beta2, gIn), gIn));
    expAvgSq[i] = store(v);
    const denom = add(sqrt(div(v, u.bias_correction2)), u.eps);
    const g = l2(div(gIn, denom), p, u.weight_decay);
    let y = torchLerp(p, zi, u.ckp1);
    y = add(y, mul(u.y_coef, g));
    z[i] = store(sub(zi, mul(u.lr, g)));
    param[i] = y;
  }
}

/**
 * Twin of the shader's param switch: 'eval' (SF_MODE 1) saves y and sets p = x;
 * 'train' (SF_MODE 2) sets p = saved y where p is still the x eval() computed from it, else
 * lerp(x, z, 1 − β1). `u` needs only eval_weight and train_weight (f32).
 */
export function scheduleFreeSwitch(
  mode: 'eval' | 'train',
  param: Float32Array,
  z: Float32Array,
  savedY: Float32Array,
  u: Pick<ScheduleFreeScalars, 'eval_weight' | 'train_weight'>,
  store: (x: number) => number = f32,
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i] as number;
    const zi = z[i] as number;
    if (mode === 'eval') {
      savedY[i] = store(p);
      param[i] = torchLerp(p, zi, u.eval_weight);
    } else {
      const y = savedY[i] as number;
      param[i] = p === torchLerp(y, zi, u.eval_weight) ? y : torchLerp(p, zi, u.train_weight);
    }
  }
}
