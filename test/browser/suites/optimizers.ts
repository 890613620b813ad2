import { createOptimizer, type HostOptions, type TensorRef } from '../../../src/index.ts';
import type { Optimizer } from '../../../src/optim/optimizer.ts';
import { ReferenceOptimizer } from '../../../src/reference/optimizer.ts';
import type { Algorithm } from '../../../src/options/types.ts';
import { ScheduleFreeAdamWReference } from '../../../src/reference/scheduleFreeOptimizer.ts';

/** Builds the GPU optimizer of `algorithm`. */
export function makeOptimizer(
  algorithm: Algorithm,
  device: GPUDevice,
  params: TensorRef[],
  options: object & HostOptions,
): Optimizer<Algorithm> {
  return createOptimizer(algorithm, device, params, options as never);
}

/** Builds the CPU reference of `algorithm`. */
export function makeReference(
  algorithm: Algorithm,
  params: Float32Array[],
  options: object,
): ReferenceOptimizer<Algorithm> {
  if (algorithm === 'schedulefreeadamw') {
    return new ScheduleFreeAdamWReference(params, options) as ReferenceOptimizer<Algorithm>;
  }
  return new ReferenceOptimizer(algorithm, params, options as never);
}
