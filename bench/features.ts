/**
 * What the training-loop features cost: Adam on one scenario, plain and with clipGradNorm, a
 * GradScaler and both, measured in one run so the ratios compare like with like. Each adds a
 * read of every gradient (the norm and the inf/NaN check share one pass) and a few dispatches.
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
];

export interface FeatureRow {
  label: string;
  msPerStep: number;
  dispatches: number;
  /** Bytes moved per parameter: Adam's 28, plus 4 when a pass reads the grads first. */
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
    const bytesPerParam = 28 + (v.gradScaler || 'clipGradNorm' in v.options ? 4 : 0);
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
