/**
 * webgpu-optim: fused WebGPU optimizer steps. See README.md for the API and the formulas.
 */
export { SGD, Adagrad, RMSprop, Adam, AdamW } from './optim/classes.ts';
export { Optimizer, type HostOptions } from './optim/optimizer.ts';
export { OptimizerError } from './optim/errors.ts';
export type { TensorRef } from './optim/tensorRef.ts';
export * from './options/index.ts';
export { SGD_KERNEL } from './kernels/sgd.ts';
export { ADAGRAD_KERNEL } from './kernels/adagrad.ts';
export { RMSPROP_KERNEL } from './kernels/rmsprop.ts';
export { ADAM_KERNEL, ADAMW_KERNEL } from './kernels/adam.ts';
export type { KernelSpec } from './kernels/spec.ts';
export { uniformLayout, type UniformLayout, type UniformField } from './kernels/uniforms.ts';
export { planTensor, grid, type Geometry, type TensorGeometry } from './kernels/geometry.ts';
