/**
 * webgpu-optim/reference: the CPU twin of every kernel, in f32 semantics. No WebGPU import.
 * Use it to check a runtime's optimizer step against ours, element by element.
 */
export {
  SGDReference,
  AdagradReference,
  RMSpropReference,
  AdamReference,
  AdamWReference,
} from './classes.ts';
export { ReferenceOptimizer } from './optimizer.ts';
export { applyReferenceStep, type StateArrays } from './apply.ts';
export { sgdKernel, type SgdFlags } from './sgd.ts';
export { adagradKernel, type AdagradFlags } from './adagrad.ts';
export { rmspropKernel, type RmspropFlags } from './rmsprop.ts';
export { adamKernel, type AdamFlags } from './adam.ts';
export { f32, torchLerp } from './f32.ts';
export * from '../options/index.ts';
