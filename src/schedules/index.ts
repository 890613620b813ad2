/**
 * Learning-rate schedules: pure closed forms `(step, baseLr) => lr`, ways to compose them,
 * and an LRScheduler that writes them into an optimizer's param groups. No WebGPU.
 */
export type { Schedule } from './types.ts';
export {
  stepDecay,
  exponentialDecay,
  inverseTimeDecay,
  type StepDecayOptions,
  type ExponentialDecayOptions,
  type InverseTimeDecayOptions,
} from './decay.ts';
export { cosineAnnealing, type CosineAnnealingOptions } from './cosine.ts';
export { linearWarmup, type LinearWarmupOptions } from './warmup.ts';
export { oneCycle, type OneCycleOptions } from './oneCycle.ts';
export { sequential, chain } from './compose.ts';
export { LRScheduler, type SchedulableOptimizer, type SchedulerState } from './scheduler.ts';
