import type { Algorithm, OptionsByAlgorithm, Resolved, StateName } from '../options/types.ts';
import { adagradScalars, adamScalars, rmspropScalars, sgdScalars } from '../options/scalars.ts';
import { roundScalars } from './f32.ts';
import { scalerAdagradClr, scalerAdamFields } from '../options/scaler.ts';
import { sgdKernel } from './sgd.ts';
import { adagradKernel } from './adagrad.ts';
import { rmspropKernel } from './rmsprop.ts';
import { adamKernel } from './adam.ts';

/** One tensor's state arrays, by PyTorch name. */
export type StateArrays = Partial<Record<StateName, Float32Array>>;

/**
 * Applies one step of `algorithm` to one tensor: computes the step's scalars on the host (f64,
 * then rounded to f32 as the uniform does) and runs the kernel twin. `step` is 1-based. With
 * `scaled` (a GradScaler is attached) the step-dependent scalars are computed in f32 from the
 * count of steps taken, as the GPU's prepare pass does (shaders/gradscaler.wgsl).
 */
export function applyReferenceStep<A extends Algorithm>(
  algorithm: A,
  o: Resolved<OptionsByAlgorithm[A]>,
  step: number,
  param: Float32Array,
  grad: Float32Array,
  s: StateArrays,
  scaled = false,
): void {
  switch (algorithm) {
    case 'sgd': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['sgd']>;
      sgdKernel(param, grad, s.momentum_buffer, roundScalars(sgdScalars(r, step)), {
        maximize: r.maximize,
        momentum: r.momentum > 0,
        nesterov: r.nesterov,
      });
      return;
    }
    case 'adagrad': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['adagrad']>;
      const u = roundScalars(adagradScalars(r, step));
      if (scaled) u.clr = scalerAdagradClr(r.lr, r.lrDecay, step);
      adagradKernel(param, grad, s.sum as Float32Array, u, r);
      return;
    }
    case 'rmsprop': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['rmsprop']>;
      rmspropKernel(
        param,
        grad,
        s.square_avg as Float32Array,
        s.momentum_buffer,
        s.grad_avg,
        roundScalars(rmspropScalars(r, step)),
        {
          maximize: r.maximize,
          centered: r.centered,
          momentum: r.momentum > 0,
          epsInsideSqrt: r.epsInsideSqrt,
        },
      );
      return;
    }
    default: {
      const r = o as unknown as Resolved<OptionsByAlgorithm['adam']>;
      const u = roundScalars(adamScalars(r, step));
      if (scaled) Object.assign(u, scalerAdamFields(r.lr, r.betas, step));
      adamKernel(
        param,
        grad,
        s.exp_avg as Float32Array,
        s.exp_avg_sq as Float32Array,
        s.max_exp_avg_sq,
        u,
        {
          maximize: r.maximize,
          amsgrad: r.amsgrad,
          decoupled: algorithm === 'adamw',
          epsInsideSqrt: r.epsInsideSqrt,
        },
      );
    }
  }
}
