/**
 * test/fixtures/torch/schedules.json (torch.optim.lr_scheduler runs) and how its schedule
 * descriptions map onto this package's schedule builders.
 */
import {
  chain,
  cosineAnnealing,
  exponentialDecay,
  inverseTimeDecay,
  linearWarmup,
  oneCycle,
  sequential,
  stepDecay,
  type Schedule,
} from '../../src/schedules/index.ts';

/** A schedule as the fixture describes it: a builder's name and its options. */
export type ScheduleSpec =
  | { kind: 'sequential'; schedules: ScheduleSpec[]; milestones: number[] }
  | { kind: 'chain'; schedules: ScheduleSpec[] }
  | { kind: Exclude<keyof typeof BUILDERS, 'sequential' | 'chain'>; options: object };

/** One torch run: lrs[t][group] is get_last_lr() after t scheduler steps. */
export interface TorchScheduleRun {
  desc: string;
  schedule: ScheduleSpec;
  baseLrs: number[];
  lrs: number[][];
}

/** test/fixtures/torch/schedules.json. */
export interface TorchScheduleFixture {
  torch: string;
  runs: TorchScheduleRun[];
}

const BUILDERS = {
  stepDecay,
  exponentialDecay,
  inverseTimeDecay,
  cosineAnnealing,
  linearWarmup,
  oneCycle,
  sequential,
  chain,
};

/** Builds our schedule from a fixture's description. */
export function buildSchedule(spec: ScheduleSpec): Schedule {
  if (spec.kind === 'sequential')
    return sequential(spec.schedules.map(buildSchedule), spec.milestones);
  if (spec.kind === 'chain') return chain(spec.schedules.map(buildSchedule));
  return (BUILDERS[spec.kind] as (o: object) => Schedule)(spec.options);
}
