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
  AdamaxReference,
  AdadeltaReference,
  LionReference,
  NAdamReference,
  RAdamReference,
  LAMBReference,
} from './classes.ts';
export { ReferenceOptimizer, type ReferenceOptions } from './optimizer.ts';
export { ScheduleFreeAdamWReference } from './scheduleFreeOptimizer.ts';
export { scheduleFreeKernel, scheduleFreeSwitch } from './scheduleFree.ts';
export {
  scheduleFreeScalars,
  scheduleFreeRunning,
  modeWeights,
  type ScheduleFreeScalars,
  type ScheduleFreeRunning,
  type ModeWeights,
} from '../options/scheduleFree.ts';
export { GradScalerReference } from './gradScaler.ts';
export type { GradScalerOptions, GradScalerState } from '../options/scaler.ts';
export {
  roundToF16,
  roundToBf16,
  f16Bits,
  f16FromBits,
  bf16Bits,
  bf16FromBits,
  epsFloor,
} from '../options/half.ts';
export { sgdKernel, type SgdFlags } from './sgd.ts';
export { adagradKernel, type AdagradFlags } from './adagrad.ts';
export { rmspropKernel, type RmspropFlags } from './rmsprop.ts';
export { adamKernel, type AdamFlags } from './adam.ts';
export { adamaxKernel, type AdamaxFlags } from './adamax.ts';
export { adadeltaKernel, type AdadeltaFlags } from './adadelta.ts';
export { lionKernel, type LionFlags } from './lion.ts';
export { nadamKernel, type NAdamFlags } from './nadam.ts';
export { radamKernel, type RAdamFlags } from './radam.ts';
export { lambKernel, lambRatio, type LambFlags } from './lamb.ts';
export { tensorSums } from './tensorSums.ts';
export {
  quantize,
  dequantize,
  q8Code,
  q8Value,
  blockAbsmax,
  Q8_BLOCK,
  Q8_ROUNDED_UP,
  MIN_8BIT_SIZE,
  SIGNED_MAP,
  UNSIGNED_MAP,
  type Quantized,
} from '../options/q8.ts';
export {
  sgdScalars,
  adagradScalars,
  rmspropScalars,
  adamScalars,
  adamaxScalars,
  adadeltaScalars,
  lionScalars,
  nadamScalars,
  radamScalars,
  lambScalars,
  type SgdScalars,
  type AdagradScalars,
  type RmspropScalars,
  type AdamScalars,
  type AdamaxScalars,
  type AdadeltaScalars,
  type LionScalars,
  type NAdamScalars,
  type RAdamScalars,
  type LambScalars,
} from '../options/scalars.ts';
export { DEFAULTS } from '../options/defaults.ts';
export type * from '../options/types.ts';
export type { StateDict, StateDtype, TensorState } from '../options/stateDict.ts';
