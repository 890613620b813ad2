/**
 * The learning-rate schedules the page offers, with the options the schedules panel edits.
 * Each is one of the package's closed-form schedules (webgpu-optim's `stepDecay`, ...).
 */
import {
  cosineAnnealing,
  exponentialDecay,
  inverseTimeDecay,
  stepDecay,
  type Schedule,
} from 'webgpu-optim';

export type ScheduleName = 'constant' | 'step' | 'exponential' | 'inverseTime' | 'cosine';

/** The editable options of every schedule at once (each schedule reads its own). */
export interface ScheduleOptions {
  stepSize: number;
  stepGamma: number;
  expGamma: number;
  decayRate: number;
  tMax: number;
}

export const DEFAULT_SCHEDULE_OPTIONS: ScheduleOptions = {
  stepSize: 30,
  stepGamma: 0.5,
  expGamma: 0.98,
  decayRate: 0.05,
  tMax: 200,
};

/** Name and label of each schedule, in the order the page lists them. */
export const SCHEDULES: readonly { name: ScheduleName; label: string; color: string }[] = [
  { name: 'constant', label: 'constant', color: '#000000' },
  { name: 'step', label: 'step decay', color: '#d55e00' },
  { name: 'exponential', label: 'exponential decay', color: '#0072b2' },
  { name: 'inverseTime', label: '1/t (inverse time) decay', color: '#009e73' },
  { name: 'cosine', label: 'cosine annealing', color: '#cc79a7' },
];

/** The package schedule for `name` with options `o`. */
export function makeSchedule(name: ScheduleName, o: ScheduleOptions): Schedule {
  switch (name) {
    case 'constant':
      return (_step, baseLr) => baseLr;
    case 'step':
      return stepDecay({ stepSize: o.stepSize, gamma: o.stepGamma });
    case 'exponential':
      return exponentialDecay({ gamma: o.expGamma });
    case 'inverseTime':
      return inverseTimeDecay({ decayRate: o.decayRate });
    case 'cosine':
      return cosineAnnealing({ tMax: o.tMax });
  }
}
