import type { Algorithm, OptionsByAlgorithm, Resolved, StateName } from '../options/types.ts';
import { adagradScalars, adamScalars, rmspropScalars, sgdScalars } from '../options/scalars.ts';
import { roundScalars } from './f32.ts';
import { sgdKernel } from './sgd.ts';
import { adagradKernel } from './adagrad.ts';
import { rmspropKernel } from './rmsprop.ts';
import { adamKernel } from './adam.ts';

/** One tensor's state arrays, by PyTorch name. */
export type StateArrays = Partial<Record<StateName, Float32Array>>;

/**
 * Applies one step of `algorithm` to one tensor: computes the step's scalars on the host (f64,
 * then rounded to f32 as the uniform does) and runs the kernel twin. `step` is 1-based.
 */
export function applyReferenceStep<A extends Algorithm>(
  algorithm: A,
  o: Resolved<OptionsByAlgorithm[A]>,
  step: number,
  param: Float32Array,
  grad: Float32Array,
  s: StateArrays,
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
      adagradKernel(param, grad, s.sum as Float32Array, roundScalars(adagradScalars(r, step)), r);
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
      adamKernel(
        param,
        grad,
        s.exp_avg as Float32Array,
        s.exp_avg_sq as Float32Array,
        s.max_exp_avg_sq,
        roundScalars(adamScalars(r, step)),
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
