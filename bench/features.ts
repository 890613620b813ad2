/**
 * What the training-loop features cost: Adam on one scenario, plain and with clipGradNorm, a
 * GradScaler, both, and 16-bit state, measured in one run so the ratios compare like with
 * like. Clipping and the scaler add a read of every gradient (the norm and the inf/NaN check
 * share one pass) and a few dispatches; 16-bit state halves the moments' traffic.
 */
import { benchOurs } from './ours.ts';
import type { GpuTimer } from './gpuTimer.ts';
import type { Scenario } from './scenarios.ts';
import { parameterCount } from './scenarios.ts';

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

export interface FeatureRow {
  label: string;
  msPerStep: number;
  dispatches: number;
  /** Bytes moved per parameter (featureBytes). */
  bytesPerParam: number;
  gbps: number;
  /** ms per step against plain Adam's in the same run. */
  ratio: number;
}

export async function benchFeatures(
  device: GPUDevice,
  s: Scenario,
  steps: number,
  reps: number,
  timer: GpuTimer | null,
  layout: 'arena' | 'separate',
  progress: (message: string) => void,
): Promise<FeatureRow[]> {
  const params = parameterCount(s);
  const rows: FeatureRow[] = [];
  for (const v of FEATURE_VARIANTS) {
    progress(`features/${s.name}: ${v.label}`);
    const t = await benchOurs(
      device,
      s,
      'adam',
      { lr: 0.001, ...v.options },
      steps,
      reps,
      timer,
      layout,
      v.gradScaler,
    );
    const bytesPerParam = featureBytes(v);
    const ms = t.gpuMs.median;
    rows.push({
      label: v.label,
      msPerStep: ms,
      dispatches: t.dispatches,
      bytesPerParam,
      gbps: (bytesPerParam * params) / (ms * 1e6),
      ratio: ms / (rows[0]?.msPerStep ?? ms),
    });
  }
  return rows;
}
