/**
 * The feature-cost variants (Adam plain, with clipGradNorm, a GradScaler, both, and 16-bit
 * state) and the bytes each moves per parameter. Pure data, shared by the page and the planner.
 */

export interface FeatureVariant {
  label: string;
  options: Record<string, unknown>;
  gradScaler: boolean;
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
];

/**
 * Bytes per parameter of an Adam step: param and grad read, param written (12), each of the
 * two moments read and written (8 in f32, 4 in 16 bits), and one more grad read (4) when a
 * pass checks or measures the grads first.
 */
export function featureBytes(v: FeatureVariant): number {
  const moment = v.options.stateDtype === 'f16' || v.options.stateDtype === 'bf16' ? 4 : 8;
  return 12 + 2 * moment + (v.gradScaler || 'clipGradNorm' in v.options ? 4 : 0);
}
