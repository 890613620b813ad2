import type { Schedule } from './types.ts';
import {
  NON_NEGATIVE,
  POSITIVE,
  POSITIVE_INTEGER,
  checkBoolean,
  checkNumber,
  defineSchedule,
  readOptions,
} from './validate.ts';

/** Options of {@link stepDecay}. */
export interface StepDecayOptions {
  /** Steps between two decays; a positive integer. */
  stepSize: number;
  /** Factor applied every `stepSize` steps; > 0. Default 0.1, as in PyTorch. */
  gamma?: number;
}

/**
 * Step decay (PyTorch StepLR): lr = base · gamma^⌊step / stepSize⌋.
 *
 * @example
 * ```ts
 * stepDecay({ stepSize: 30 }); // base 0.05: 0.05 for steps 0–29, 0.005 for 30–59, …
 * ```
 */
export function stepDecay(options: StepDecayOptions): Schedule {
  const where = 'stepDecay';
  const o = readOptions(where, options, ['stepSize', 'gamma']);
  const stepSize = checkNumber(where, 'stepSize', o.stepSize, POSITIVE_INTEGER);
  const gamma = checkNumber(where, 'gamma', o.gamma ?? 0.1, POSITIVE);
  return defineSchedule(where, (step, base) => base * gamma ** Math.floor(step / stepSize));
}

/** Options of {@link exponentialDecay}. */
export interface ExponentialDecayOptions {
  /** Factor applied every step; > 0. Required, as in PyTorch. */
  gamma: number;
}

/** Exponential decay (PyTorch ExponentialLR): lr = base · gamma^step. */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule {
  const where = 'exponentialDecay';
  const o = readOptions(where, options, ['gamma']);
  const gamma = checkNumber(where, 'gamma', o.gamma, POSITIVE);
  return defineSchedule(where, (step, base) => base * gamma ** step);
}

/** Options of {@link inverseTimeDecay}. */
export interface InverseTimeDecayOptions {
  /** k in base / (1 + k · step / decaySteps); >= 0 (0 keeps the lr constant). */
  decayRate: number;
  /** Steps per unit of decay; > 0. Default 1, which gives the textbook lr₀ / (1 + k·t). */
  decaySteps?: number;
  /** Floor step / decaySteps, so the lr changes every `decaySteps` steps. Default false. */
  staircase?: boolean;
}

/**
 * Inverse-time ("1/t") decay (Keras InverseTimeDecay): with p = step / decaySteps, floored
 * when `staircase`, lr = base / (1 + decayRate · p). Keras requires `decaySteps`; here it
 * defaults to 1.
 */
export function inverseTimeDecay(options: InverseTimeDecayOptions): Schedule {
  const where = 'inverseTimeDecay';
  const o = readOptions(where, options, ['decayRate', 'decaySteps', 'staircase']);
  const decayRate = checkNumber(where, 'decayRate', o.decayRate, NON_NEGATIVE);
  const decaySteps = checkNumber(where, 'decaySteps', o.decaySteps ?? 1, POSITIVE);
  const staircase = checkBoolean(where, 'staircase', o.staircase ?? false);
  return defineSchedule(where, (step, base) => {
    const p = step / decaySteps;
    return base / (1 + decayRate * (staircase ? Math.floor(p) : p));
  });
}
