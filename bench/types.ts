import type { BenchKey } from './algorithms.ts';
import type { TfTiming } from './peers/tfjs.ts';
import type { Roofline } from './roofline.ts';
import type { Stat } from './stats.ts';
import type { Timing } from './ours.ts';
import type { FeatureRow } from './features.ts';
import type { Flag } from './reliability.ts';
import type { RepPlan } from './repPlan.ts';

export type ScenarioName = 'big' | 'model' | 'tiny';

export interface BenchConfig {
  /** The rows to run, by key (algorithms.ts). */
  algorithms: BenchKey[];
  scenarios: ScenarioName[];
  /** GPU steps per repetition, and repetitions. */
  steps: number;
  reps: number;
  /** TF.js is slow: its own steps and repetitions. */
  tfjsSteps: number;
  tfjsReps: number;
  /** CPU peers are slow: their own steps and repetitions. */
  cpuSteps: number;
  cpuReps: number;
  peers: { tfjs: boolean; plainJs: boolean; reference: boolean };
  /** Extra options per algorithm (state options such as amsgrad or centered). */
  options: Partial<Record<BenchKey, Record<string, unknown>>>;
  /** How our params and grads are allocated: a ParamArena, or one buffer per tensor. */
  layout: 'arena' | 'separate';
  /** Tensor counts for the tiny-scenario host-time scaling (empty to skip). */
  tinyScaling: number[];
  /** Measure what clipGradNorm and a GradScaler cost on this scenario (absent: skip). */
  featureCosts?: ScenarioName;
  /**
   * The planner's choices (plan.ts): big's size, and each measurement's steps, repetitions and
   * time box by key. Measurements without a key use steps/reps above (the page's form).
   */
  plan?: { bigLog2: number; units: Record<string, RepPlan> };
}

export interface Row {
  /** The row's key (algorithms.ts): the algorithm's name, or `sgd-plain`. */
  algorithm: BenchKey;
  label: string;
  options: Record<string, unknown>;
  bytesPerParam: number;
  ours: Timing;
  /** Our ms per step (GPU time when timestamps work, else wall). */
  msPerStep: number;
  paramsPerSec: number;
  gbps: number;
  percentOfRoofline: number;
  /** Against the vec4 copy kernel alone (the best a compute kernel has done in this run). */
  percentOfCopyKernel: number;
  tfjs: TfTiming | null;
  plainJs: Stat | null;
  reference: Stat | null;
  /** Our wall ms per step against each peer's (same method: steps back to back). */
  speedup: { tfjs: number | null; plainJs: number | null; reference: number | null };
  /**
   * The same step with one buffer per tensor (the `separate` layout), measured in the same run
   * on model and tiny when the main layout is the arena; null otherwise.
   */
  separate: SeparateTiming | null;
  /** Why not to quote this row (reliability.ts); empty when it is reliable. */
  flags: Flag[];
  unreliable: boolean;
}

/** The `separate` column of a row. */
export interface SeparateTiming {
  ours: Timing;
  msPerStep: number;
  gbps: number;
  /** Our wall ms per step on separate buffers against TF.js's (which always uses them). */
  speedupTfjs: number | null;
}

export interface ScenarioResult {
  name: ScenarioName;
  description: string;
  tensors: number;
  params: number;
  roofline: Roofline;
  rows: Row[];
}

export interface ScalingPoint {
  tensors: number;
  oursHostMs: number;
  tfjsHostMs: number | null;
  /** Spreads of the two host times ((max − min) / median). */
  oursHostSpread: number;
  tfjsHostSpread: number | null;
  oursDispatches: number;
  tfjsDispatches: number | null;
  /** Why not to quote this point (a host-time spread over 25 %); empty when reliable. */
  flags: Flag[];
  unreliable: boolean;
}

export interface BenchResult {
  date: string;
  userAgent: string;
  adapter: Record<string, string>;
  features: string[];
  timing: 'timestamp-query' | 'wall';
  config: BenchConfig;
  scenarios: ScenarioResult[];
  tinyScaling: ScalingPoint[];
  /** The feature-cost rows (config.features), in one run. */
  featureCosts: { scenario: ScenarioName; rows: FeatureRow[] } | null;
}
