/**
 * webgpu-optim: fused WebGPU optimizer steps. See docs/api.md for the API and docs/numerics.md
 * for the formulas.
 */
export {
  SGD,
  Adagrad,
  RMSprop,
  Adam,
  AdamW,
  Adamax,
  Adadelta,
  Lion,
  NAdam,
  RAdam,
  LAMB,
  createOptimizer,
  type OptimizerFor,
} from './optim/classes.ts';
export { ScheduleFreeAdamW } from './optim/scheduleFree.ts';
export { Optimizer, type HostOptions } from './optim/optimizer.ts';
export { OptimizerError } from './optim/errors.ts';
export type { TensorRef } from './optim/tensorRef.ts';
export { DEFAULTS } from './options/defaults.ts';
export type {
  Algorithm,
  CommonOptions,
  SGDOptions,
  AdagradOptions,
  RMSpropOptions,
  AdamOptions,
  AdamWOptions,
  AdamaxOptions,
  AdadeltaOptions,
  LionOptions,
  NAdamOptions,
  RAdamOptions,
  LambOptions,
  ScheduleFreeAdamWOptions,
  OptionsByAlgorithm,
  Resolved,
  StateName,
} from './options/types.ts';
export type { ParamGroup, ParamGroupInput } from './options/groups.ts';
export type {
  StateDict,
  TensorState,
  SavedParamGroup,
  StateDtype,
  AttachedScheduler,
  AttachedGradScaler,
} from './options/stateDict.ts';
export type { Quantized } from './options/q8.ts';
export * from './schedules/index.ts';
export { ParamArena, type ArenaTensor, type ParamArenaOptions } from './optim/paramArena.ts';
export { serializeStateDict, deserializeStateDict } from './options/checkpoint.ts';
export type { ClipOptions } from './options/clip.ts';
export { GradScaler } from './optim/gradScaler.ts';
export type { GradScalerOptions, GradScalerState } from './options/scaler.ts';
