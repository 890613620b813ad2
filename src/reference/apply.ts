import type { Algorithm, OptionsByAlgorithm, Resolved, StateName } from '../options/types.ts';
import {
  adadeltaScalars,
  adagradScalars,
  adamaxScalars,
  adamScalars,
  lionScalars,
  nadamMuProduct,
  nadamScalars,
  radamScalars,
  lambScalars,
  rmspropScalars,
  sgdScalars,
} from '../options/scalars.ts';
import type { StateDtype } from '../options/stateDict.ts';
import { roundScalars } from './f32.ts';
import {
  scalerAdagradClr,
  scalerAdamaxClr,
  scalerAdamFields,
  scalerNadamFields,
  scalerRadamFields,
  scalerLambFields,
} from '../options/scaler.ts';
import { epsAtStateScale, guardEps, stateRounding } from '../options/half.ts';
import { sgdKernel } from './sgd.ts';
import { adagradKernel } from './adagrad.ts';
import { rmspropKernel } from './rmsprop.ts';
import { adamKernel } from './adam.ts';
import { adamaxKernel } from './adamax.ts';
import { adadeltaKernel } from './adadelta.ts';
import { lionKernel } from './lion.ts';
import { nadamKernel } from './nadam.ts';
import { radamKernel } from './radam.ts';
import { lambKernel } from './lamb.ts';
import { scheduleFreeScalars } from '../options/scheduleFree.ts';
import { scalerScheduleFreeStep } from '../options/scalerScheduleFree.ts';
import { scheduleFreeKernel } from './scheduleFree.ts';

/** One tensor's state arrays, by PyTorch name. */
export type StateArrays = Partial<Record<StateName, Float32Array>>;

/**
 * Applies one step of `algorithm` to one tensor: computes the step's scalars on the host (f64,
 * then rounded to f32 as the uniform does) and runs the kernel twin. `step` is 1-based.
 * `stateDtype` rounds each stored state value as the GPU stores it and raises ε to that
 * type's floor (guardEps), as the GPU optimizers do; 'q8' means this tensor's state is stored
 * in 8 bits (the caller requantises after the step; LAMB's sums then take the 8-bit kernel's
 * order), and a small tensor of a 'q8' optimizer, which keeps f32 state, passes 'f32'. With
 * `scaled` (a GradScaler is attached) the step-dependent scalars are computed in f32 from the
 * count of steps taken, as the GPU's prepare pass does (shaders/gradscaler.wgsl). `carried` is the tensor's carried scalar
 * before the step (NAdam's mu_product, src/options/carried.ts); returns its value after.
 */
export function applyReferenceStep<A extends Algorithm>(
  algorithm: A,
  o: Resolved<OptionsByAlgorithm[A]>,
  step: number,
  param: Float32Array,
  grad: Float32Array,
  s: StateArrays,
  stateDtype: StateDtype = 'f32',
  scaled = false,
  carried = 1,
): number {
  const store = stateRounding(stateDtype);
  const inside = epsAtStateScale(algorithm, o);
  const scalars = <T extends object>(x: T): T => roundScalars(guardEps(x, stateDtype, inside));
  switch (algorithm) {
    case 'sgd': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['sgd']>;
      sgdKernel(param, grad, s.momentum_buffer, scalars(sgdScalars(r, step)), {
        maximize: r.maximize,
        momentum: r.momentum > 0,
        nesterov: r.nesterov,
        store,
      });
      return carried;
    }
    case 'adagrad': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['adagrad']>;
      const u = scalars(adagradScalars(r, step));
      if (scaled) u.clr = scalerAdagradClr(r.lr, r.lrDecay, step);
      adagradKernel(param, grad, s.sum as Float32Array, u, {
        maximize: r.maximize,
        epsInsideSqrt: r.epsInsideSqrt,
        store,
      });
      return carried;
    }
    case 'rmsprop': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['rmsprop']>;
      rmspropKernel(
        param,
        grad,
        s.square_avg as Float32Array,
        s.momentum_buffer,
        s.grad_avg,
        scalars(rmspropScalars(r, step)),
        {
          maximize: r.maximize,
          centered: r.centered,
          momentum: r.momentum > 0,
          epsInsideSqrt: r.epsInsideSqrt,
          store,
        },
      );
      return carried;
    }
    case 'nadam': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['nadam']>;
      const u = scalars(nadamScalars(r, step, carried));
      let after = nadamMuProduct(r, step, carried);
      if (scaled) {
        const gpu = scalerNadamFields(r.lr, r.betas, r.momentumDecay, step, carried);
        Object.assign(u, gpu.fields);
        after = gpu.muProduct;
      }
      nadamKernel(param, grad, s.exp_avg as Float32Array, s.exp_avg_sq as Float32Array, u, {
        maximize: r.maximize,
        decoupled: r.decoupledWeightDecay,
        store,
      });
      return after;
    }
    case 'radam': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['radam']>;
      const u = scalars(radamScalars(r, step));
      if (scaled) Object.assign(u, scalerRadamFields(r.betas, step));
      radamKernel(param, grad, s.exp_avg as Float32Array, s.exp_avg_sq as Float32Array, u, {
        maximize: r.maximize,
        decoupled: r.decoupledWeightDecay,
        store,
      });
      return carried;
    }
    case 'adamax': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['adamax']>;
      const u = scalars(adamaxScalars(r, step));
      if (scaled) u.clr = scalerAdamaxClr(r.lr, r.betas[0], step);
      adamaxKernel(param, grad, s.exp_avg as Float32Array, s.exp_inf as Float32Array, u, {
        maximize: r.maximize,
        store,
      });
      return carried;
    }
    case 'adadelta': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['adadelta']>;
      adadeltaKernel(
        param,
        grad,
        s.square_avg as Float32Array,
        s.acc_delta as Float32Array,
        scalars(adadeltaScalars(r, step)),
        { maximize: r.maximize, store },
      );
      return carried;
    }
    case 'lion': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['lion']>;
      lionKernel(param, grad, s.exp_avg as Float32Array, scalars(lionScalars(r, step)), {
        maximize: r.maximize,
        store,
      });
      return carried;
    }
    case 'lamb': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['lamb']>;
      const u = scalars(lambScalars(r, step));
      if (scaled) Object.assign(u, scalerLambFields(r.betas, step));
      lambKernel(param, grad, s.exp_avg as Float32Array, s.exp_avg_sq as Float32Array, u, {
        maximize: r.maximize,
        store,
        q8: stateDtype === 'q8',
      });
      return carried;
    }
    case 'schedulefreeadamw': {
      const r = o as unknown as Resolved<OptionsByAlgorithm['schedulefreeadamw']>;
      const u = scalars(scheduleFreeScalars(r, step));
      if (scaled) Object.assign(u, scalerScheduleFreeStep(r, step, r.weightSum, r.lrMax).fields);
      scheduleFreeKernel(param, grad, s.z as Float32Array, s.exp_avg_sq as Float32Array, u, store);
      return carried;
    }
    default: {
      const r = o as unknown as Resolved<OptionsByAlgorithm['adam']>;
      const u = scalars(adamScalars(r, step));
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
          store,
        },
      );
      return carried;
    }
  }
}
