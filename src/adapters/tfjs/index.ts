/**
 * webgpu-optim/tfjs: this package's fused optimizer steps as a TF.js optimizer, for
 * model.fit on TF.js's WebGPU backend. See docs/tfjs.md.
 */
export { createTfjsOptimizer, TfjsOptimizer, type TfjsHostOptions } from './optimizer.ts';
