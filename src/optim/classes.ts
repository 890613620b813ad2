import { ADADELTA_KERNEL } from '../kernels/adadelta.ts';
import { ADAGRAD_KERNEL } from '../kernels/adagrad.ts';
import { ADAM_KERNEL, ADAMW_KERNEL } from '../kernels/adam.ts';
import { ADAMAX_KERNEL } from '../kernels/adamax.ts';
import { LION_KERNEL } from '../kernels/lion.ts';
import { NADAM_KERNEL } from '../kernels/nadam.ts';
import { RADAM_KERNEL } from '../kernels/radam.ts';
import { LAMB_KERNEL } from '../kernels/lamb.ts';
import { RMSPROP_KERNEL } from '../kernels/rmsprop.ts';
import { SGD_KERNEL } from '../kernels/sgd.ts';
import type { ParamGroupInput } from '../options/groups.ts';
import {
  adadeltaScalars,
  adagradScalars,
  adamaxScalars,
  adamScalars,
  lionScalars,
  nadamScalars,
  radamScalars,
  lambScalars,
  rmspropScalars,
  sgdScalars,
} from '../options/scalars.ts';
import type {
  Algorithm,
  OptionsByAlgorithm,
  AdadeltaOptions,
  AdagradOptions,
  AdamaxOptions,
  AdamOptions,
  AdamWOptions,
  LionOptions,
  NAdamOptions,
  RAdamOptions,
  LambOptions,
  RMSpropOptions,
  SGDOptions,
} from '../options/types.ts';
import { Optimizer, type HostOptions } from './optimizer.ts';
import { ScheduleFreeAdamW } from './scheduleFree.ts';
import type { TensorRef } from './tensorRef.ts';

type Params<O> = readonly TensorRef[] | readonly ParamGroupInput<TensorRef, O>[];

/** SGD with momentum, dampening, Nesterov, weight decay and maximize (torch.optim.SGD). */
export class SGD extends Optimizer<'sgd'> {
  constructor(device: GPUDevice, params: Params<SGDOptions>, options?: SGDOptions & HostOptions) {
    super('sgd', 'SGD', SGD_KERNEL, sgdScalars, device, params, options);
  }
}

/** AdaGrad (torch.optim.Adagrad), with `epsInsideSqrt` for TF.js and optax. */
export class Adagrad extends Optimizer<'adagrad'> {
  constructor(
    device: GPUDevice,
    params: Params<AdagradOptions>,
    options?: AdagradOptions & HostOptions,
  ) {
    super('adagrad', 'Adagrad', ADAGRAD_KERNEL, adagradScalars, device, params, options);
  }
}

/** RMSprop, plain or centered, with momentum (torch.optim.RMSprop). */
export class RMSprop extends Optimizer<'rmsprop'> {
  constructor(
    device: GPUDevice,
    params: Params<RMSpropOptions>,
    options?: RMSpropOptions & HostOptions,
  ) {
    super('rmsprop', 'RMSprop', RMSPROP_KERNEL, rmspropScalars, device, params, options);
  }
}

/** Adam with L2 weight decay and AMSGrad (torch.optim.Adam). */
export class Adam extends Optimizer<'adam'> {
  constructor(device: GPUDevice, params: Params<AdamOptions>, options?: AdamOptions & HostOptions) {
    super('adam', 'Adam', ADAM_KERNEL, adamScalars, device, params, options);
  }
}

/** Adam with decoupled weight decay, default 0.01 (torch.optim.AdamW). */
export class AdamW extends Optimizer<'adamw'> {
  constructor(
    device: GPUDevice,
    params: Params<AdamWOptions>,
    options?: AdamWOptions & HostOptions,
  ) {
    super('adamw', 'AdamW', ADAMW_KERNEL, adamScalars, device, params, options);
  }
}

/** Adamax, Adam with the infinity norm, with L2 weight decay (torch.optim.Adamax). */
export class Adamax extends Optimizer<'adamax'> {
  constructor(
    device: GPUDevice,
    params: Params<AdamaxOptions>,
    options?: AdamaxOptions & HostOptions,
  ) {
    super('adamax', 'Adamax', ADAMAX_KERNEL, adamaxScalars, device, params, options);
  }
}

/** Adadelta with L2 weight decay (torch.optim.Adadelta). */
export class Adadelta extends Optimizer<'adadelta'> {
  constructor(
    device: GPUDevice,
    params: Params<AdadeltaOptions>,
    options?: AdadeltaOptions & HostOptions,
  ) {
    super('adadelta', 'Adadelta', ADADELTA_KERNEL, adadeltaScalars, device, params, options);
  }
}

/**
 * NAdam (torch.optim.NAdam, 2.x): Adam with Nesterov momentum and the momentum schedule
 * mu_t = beta1·(1 − 0.5·0.96^(t·momentumDecay)), with `decoupledWeightDecay` and `maximize`.
 * Keeps `exp_avg`, `exp_avg_sq` and the per-tensor scalar `mu_product`.
 */
export class NAdam extends Optimizer<'nadam'> {
  constructor(
    device: GPUDevice,
    params: Params<NAdamOptions>,
    options?: NAdamOptions & HostOptions,
  ) {
    super('nadam', 'NAdam', NADAM_KERNEL, nadamScalars, device, params, options);
  }
}

/**
 * Lion (Chen et al. 2023; lion-pytorch): p moves by lr times the sign of an interpolated
 * momentum, with decoupled weight decay.
 */
export class Lion extends Optimizer<'lion'> {
  constructor(device: GPUDevice, params: Params<LionOptions>, options?: LionOptions & HostOptions) {
    super('lion', 'Lion', LION_KERNEL, lionScalars, device, params, options);
  }
}
/** The class `createOptimizer` builds for `A`: ScheduleFreeAdamW has train() and eval(). */
export type OptimizerFor<A extends Algorithm> = [A] extends ['schedulefreeadamw']
  ? ScheduleFreeAdamW
  : Optimizer<A>;

/**
 * RAdam (torch.optim.RAdam, 2.x): Adam with the variance rectification; while rho_t ≤ 5 a step
 * is momentum SGD on the bias-corrected exp_avg. With `decoupledWeightDecay` and `maximize`.
 */
export class RAdam extends Optimizer<'radam'> {
  constructor(
    device: GPUDevice,
    params: Params<RAdamOptions>,
    options?: RAdamOptions & HostOptions,
  ) {
    super('radam', 'RAdam', RADAM_KERNEL, radamScalars, device, params, options);
  }
}

/**
 * LAMB (optax `lamb`; You et al. 2020): Adam's direction plus decoupled weight decay, scaled
 * per tensor by the trust ratio ‖param‖ / ‖update‖ computed on the GPU (no readback).
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-6, weightDecay 0. At most 16384 tensors.
 */
export class LAMB extends Optimizer<'lamb'> {
  constructor(device: GPUDevice, params: Params<LambOptions>, options?: LambOptions & HostOptions) {
    super('lamb', 'LAMB', LAMB_KERNEL, lambScalars, device, params, options);
  }
}

/** Any of the optimizers above, by algorithm name (for tables of configurations). */
export function createOptimizer<A extends Algorithm>(
  algorithm: A,
  device: GPUDevice,
  params: Params<OptionsByAlgorithm[A]>,
  options?: OptionsByAlgorithm[A] & HostOptions,
): OptimizerFor<A> {
  const o = options as never;
  const p = params as never;
  const made = {
    sgd: () => new SGD(device, p, o),
    adagrad: () => new Adagrad(device, p, o),
    rmsprop: () => new RMSprop(device, p, o),
    adam: () => new Adam(device, p, o),
    adamw: () => new AdamW(device, p, o),
    adamax: () => new Adamax(device, p, o),
    adadelta: () => new Adadelta(device, p, o),
    lion: () => new Lion(device, p, o),
    nadam: () => new NAdam(device, p, o),
    radam: () => new RAdam(device, p, o),
    lamb: () => new LAMB(device, p, o),
    schedulefreeadamw: () => new ScheduleFreeAdamW(device, p, o),
  }[algorithm as Algorithm];
  if (!made) throw new TypeError(`createOptimizer: unknown algorithm ${JSON.stringify(algorithm)}`);
  return made() as unknown as OptimizerFor<A>;
}
