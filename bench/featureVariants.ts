/**
 * The feature-cost variants (Adam plain, with clipGradNorm, a GradScaler, both, 16-bit and
 * 8-bit state) and the bytes each moves per parameter. Pure data, shared by the page and the
 * planner.
 */

export interface FeatureVariant {
  label: string;
  options: Record<string, unknown>;
  gradScaler: boolean;
  /**
   * How many times the time of its bytes at the calibrated bandwidth the planner budgets for
   * it (bench/plan.ts; default 2, plain Adam 1). 8-bit state: 30, from a step measured at
   * about 16× plain Adam's on SwiftShader while moving 16 B against 28 (16 · 28 / 16 = 28).
   */
  planFactor?: number;
}

export const FEATURE_VARIANTS: FeatureVariant[] = [
  { label: 'Adam', options: {}, gradScaler: false },
  { label: '+ clipGradNorm', options: { clipGradNorm: 1 }, gradScaler: false },
  { label: '+ GradScaler', options: {}, gradScaler: true },
  { label: '+ GradScaler + clipGradNorm', options: { clipGradNorm: 1 }, gradScaler: true },
  { label: 'stateDtype bf16', options: { stateDtype: 'bf16' }, gradScaler: false },
  { label: 'stateDtype f16', options: { stateDtype: 'f16' }, gradScaler: false },
  {
    label: 'bf16 + GradScaler + clipGradNorm',
    options: { stateDtype: 'bf16', clipGradNorm: 1 },
    gradScaler: true,
  },
  // One 8-bit row: on SwiftShader it costs about 16× plain Adam (docs/benchmark.md), so each
  // further 8-bit variant would add a minute to the default run.
  { label: 'stateDtype q8', options: { stateDtype: 'q8' }, gradScaler: false, planFactor: 30 },
];

/**
 * Bytes one moment moves per parameter, read and written: 8 in f32, 4 in 16 bits; in 8 bits a
 * code each way plus the block's f32 absmax each way shared by 256 elements (2 + 8/256). A
 * 'q8' optimizer keeps tensors under min8bitSize (4096) in f32: on the model scenario 20 480
 * of 6 901 760 parameters (layer norms and biases), +0.035 B per parameter, not counted here.
 */
function momentBytes(stateDtype: unknown): number {
  if (stateDtype === 'f16' || stateDtype === 'bf16') return 4;
  if (stateDtype === 'q8') return 2 + 8 / 256;
  return 8;
}

/**
 * Bytes per parameter of an Adam step: param and grad read, param written (12), each of the
 * two moments read and written (momentBytes), and one more grad read (4) when a pass checks
 * or measures the grads first.
 */
export function featureBytes(v: FeatureVariant): number {
  const moment = momentBytes(v.options.stateDtype);
  return 12 + 2 * moment + (v.gradScaler || 'clipGradNorm' in v.options ? 4 : 0);
}
