/**
 * What the training-loop features cost: Adam on one scenario, plain and with clipGradNorm, a
 * GradScaler, both, and 16-bit and 8-bit state, measured in one run so the ratios compare like with
 * like. Clipping and the scaler add a read of every gradient (the norm and the inf/NaN check
 * share one pass) and a few dispatches; 16-bit state halves the moments' traffic.
 */
import { FEATURE_VARIANTS, featureBytes } from './featureVariants.ts';
import { benchOurs } from './ours.ts';
import type { GpuTimer } from './gpuTimer.ts';
import { featureFlags, type Flag, type RooflineBound } from './reliability.ts';
import type { RepPlan } from './repPlan.ts';
import type { Scenario } from './scenarios.ts';
import { parameterCount } from './scenarios.ts';

export interface FeatureRow {
  label: string;
  msPerStep: number;
  /** (max − min) / median of the repetitions, and how many there were. */
  spread: number;
  samples: number;
  dispatches: number;
  /** Bytes moved per parameter (featureBytes). */
  bytesPerParam: number;
  gbps: number;
  /** ms per step against plain Adam's in the same run. */
  ratio: number;
  /** Why not to quote this row (reliability.ts); empty when it is reliable. */
  flags: Flag[];
  unreliable: boolean;
}

/**
 * Times every variant on `s`; `plan(i)` gives variant i's repetitions. Flags each row against
 * plain Adam and the scenario's roofline.
 */
export async function benchFeatures(
  device: GPUDevice,
  s: Scenario,
  plan: (variant: number) => RepPlan,
  timer: GpuTimer | null,
  layout: 'arena' | 'separate',
  roofline: RooflineBound,
  progress: (message: string) => void,
): Promise<FeatureRow[]> {
  const params = parameterCount(s);
  const rows: FeatureRow[] = [];
  for (const [i, v] of FEATURE_VARIANTS.entries()) {
    progress(`features/${s.name}: ${v.label}`);
    const t = await benchOurs(
      device,
      s,
      'adam',
      { lr: 0.001, ...v.options },
      plan(i),
      timer,
      layout,
      v.gradScaler,
    );
    const bytesPerParam = featureBytes(v);
    const ms = t.gpuMs.median;
    rows.push({
      label: v.label,
      msPerStep: ms,
      spread: t.gpuMs.spread,
      samples: t.gpuMs.samples,
      dispatches: t.dispatches,
      bytesPerParam,
      gbps: (bytesPerParam * params) / (ms * 1e6),
      ratio: ms / (rows[0]?.msPerStep ?? ms),
      flags: [],
      unreliable: false,
    });
  }
  const flagged = featureFlags(rows, roofline);
  return rows.map((r, i) => {
    const f = flagged[i] ?? [];
    return { ...r, flags: f, unreliable: f.length > 0 };
  });
}
