export type { Schedule } from './types.ts';
export { stepDecay, exponentialDecay, inverseTimeDecay } from './decay.ts';
export { cosineAnnealing } from './cosine.ts';
export { linearWarmup } from './warmup.ts';
export { oneCycle, type OneCycleOptions } from './oneCycle.ts';
export { sequential, chain } from './compose.ts';
export { LRScheduler, type SchedulableOptimizer, type SchedulerState } from './scheduler.ts';
