import {
  Adagrad,
  Adam,
  AdamW,
  RMSprop,
  SGD,
  type HostOptions,
  type TensorRef,
} from '../../../src/index.ts';
import type { Optimizer } from '../../../src/optim/optimizer.ts';
import { ReferenceOptimizer } from '../../../src/reference/optimizer.ts';
import type { Algorithm } from '../../../src/options/types.ts';

/** Builds the GPU optimizer of `algorithm`. */
export function makeOptimizer(
  algorithm: Algorithm,
  device: GPUDevice,
  params: TensorRef[],
  options: object & HostOptions,
): Optimizer<Algorithm> {
  const o = options as never;
  switch (algorithm) {
    case 'sgd':
      return new SGD(device, params, o) as Optimizer<Algorithm>;
    case 'adagrad':
      return new Adagrad(device, params, o) as Optimizer<Algorithm>;
    case 'rmsprop':
      return new RMSprop(device, params, o) as Optimizer<Algorithm>;
    case 'adam':
      return new Adam(device, params, o) as Optimizer<Algorithm>;
    case 'adamw':
      return new AdamW(device, params, o) as Optimizer<Algorithm>;
  }
}

/** Builds the CPU reference of `algorithm`. */
export function makeReference(
  algorithm: Algorithm,
  params: Float32Array[],
  options: object,
): ReferenceOptimizer<Algorithm> {
  return new ReferenceOptimizer(algorithm, params, options as never);
}
