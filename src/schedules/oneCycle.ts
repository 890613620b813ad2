import type { Schedule } from './types.ts';
import {
  POSITIVE,
  POSITIVE_INTEGER,
  checkBoolean,
  checkNumber,
  defineSchedule,
  showValue,
  readOptions,
} from './validate.ts';

/** Options of {@link oneCycle}. PyTorch OneCycleLR's names (camelCased) and defaults. */
export interface OneCycleOptions {
  /**
   * The peak lr, the same for every group; > 0. When omitted, each group's base lr is its
   * peak, which is what PyTorch's per-group list of `max_lr` does.
   */
  maxLr?: number;
  /** Steps in the cycle; a positive integer. The schedule is defined for steps 0…totalSteps. */
  totalSteps: number;
  /** Fraction of the cycle spent raising the lr; in (0, 1). Default 0.3. */
  pctStart?: number;
  /** Shape of every phase: `'cos'` (default) or `'linear'`. PyTorch's `anneal_strategy`. */
  anneal?: 'cos' | 'linear';
  /** The lr at step 0 is maxLr / divFactor; > 0. Default 25. */
  divFactor?: number;
  /** The lr at the last step is maxLr / divFactor / finalDivFactor; > 0. Default 1e4. */
  finalDivFactor?: number;
  /**
   * Three phases (up to maxLr, back down to the initial lr, then down to the minimum), as in
   * Smith's paper, instead of fastai's two (up, then down to the minimum). Default false.
   */
  threePhase?: boolean;
}

interface Phase {
  end: number;
  from: 'initial' | 'max' | 'min';
  to: 'initial' | 'max' | 'min';
}

/**
 * One-cycle (PyTorch OneCycleLR, after Smith and Topin 2018), with PyTorch's phase ends
 * `pctStart · totalSteps − 1`, (with `threePhase`) `2 · pctStart · totalSteps − 2`, and
 * `totalSteps − 1`, and its annealing formulas, so every step matches PyTorch's lr:
 * - step 0: maxLr / divFactor (PyTorch's `initial_lr`);
 * - step pctStart · totalSteps − 1: maxLr;
 * - step totalSteps − 1: maxLr / divFactor / finalDivFactor (PyTorch's `min_lr`).
 *
 * Unlike the other schedules it does not scale the base lr: with `maxLr` given, it ignores
 * the base lr (OneCycleLR overwrites it). Only the lr is scheduled, not momentum (PyTorch's
 * `cycle_momentum`). Steps past `totalSteps` are an error, as in PyTorch. Settings for which
 * PyTorch divides by zero (pctStart · totalSteps = 1) or never reaches the third phase
 * (threePhase with 2 · pctStart · totalSteps − 2 ≥ totalSteps − 1) are rejected.
 */
export function oneCycle(options: OneCycleOptions): Schedule {
  const where = 'oneCycle';
  const o = readOptions(where, options, [
    'maxLr',
    'totalSteps',
    'pctStart',
    'anneal',
    'divFactor',
    'finalDivFactor',
    'threePhase',
  ]);
  const maxLr = o.maxLr === undefined ? undefined : checkNumber(where, 'maxLr', o.maxLr, POSITIVE);
  const totalSteps = checkNumber(where, 'totalSteps', o.totalSteps, POSITIVE_INTEGER);
  const pctStart = checkNumber(where, 'pctStart', o.pctStart ?? 0.3, {
    test: (v) => v > 0 && v < 1,
    text: 'a number in (0, 1)',
  });
  const anneal = o.anneal ?? 'cos';
  if (anneal !== 'cos' && anneal !== 'linear') {
    throw new RangeError(`${where}: anneal must be 'cos' or 'linear', got ${showValue(anneal)}`);
  }
  const divFactor = checkNumber(where, 'divFactor', o.divFactor ?? 25, POSITIVE);
  const finalDivFactor = checkNumber(where, 'finalDivFactor', o.finalDivFactor ?? 1e4, POSITIVE);
  const threePhase = checkBoolean(where, 'threePhase', o.threePhase ?? false);

  const warmupEnd = pctStart * totalSteps - 1;
  if (warmupEnd === 0) {
    throw new RangeError(
      `${where}: pctStart · totalSteps must not be 1 (the warm-up phase would have no length; PyTorch divides by zero), got pctStart = ${pctStart}, totalSteps = ${totalSteps}`,
    );
  }
  const phases: Phase[] = [{ end: warmupEnd, from: 'initial', to: 'max' }];
  if (threePhase) {
    const downEnd = 2 * pctStart * totalSteps - 2;
    if (downEnd >= totalSteps - 1) {
      throw new RangeError(
        `${where}: with threePhase, 2 · pctStart · totalSteps − 2 = ${downEnd} must be less than totalSteps − 1 = ${totalSteps - 1} (the third phase would never start), got pctStart = ${pctStart}`,
      );
    }
    phases.push({ end: downEnd, from: 'max', to: 'initial' });
    phases.push({ end: totalSteps - 1, from: 'initial', to: 'min' });
  } else {
    phases.push({ end: totalSteps - 1, from: 'max', to: 'min' });
  }

  // PyTorch's _annealing_cos and _annealing_linear, with their order of operations.
  const annealFn =
    anneal === 'cos'
      ? (start: number, end: number, pct: number) =>
          end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1)
      : (start: number, end: number, pct: number) => (end - start) * pct + start;

  return defineSchedule(where, (step, base) => {
    if (step > totalSteps) {
      throw new RangeError(
        `${where}: step must be at most totalSteps = ${totalSteps}, got ${step}`,
      );
    }
    const max = maxLr ?? base;
    const initial = max / divFactor;
    const lrs = { initial, max, min: initial / finalDivFactor };
    // PyTorch's get_lr: the first phase whose end is not before the step, else the last one;
    // each phase starts where the one before it ends.
    let i = 0;
    let start = 0;
    while (i < phases.length - 1 && step > (phases[i] as Phase).end) {
      start = (phases[i] as Phase).end;
      i += 1;
    }
    const phase = phases[i] as Phase;
    return annealFn(lrs[phase.from], lrs[phase.to], (step - start) / (phase.end - start));
  });
}
