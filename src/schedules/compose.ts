import type { Schedule } from './types.ts';
import { defineSchedule, showValue } from './validate.ts';

function checkSchedules(where: string, schedules: unknown): Schedule[] {
  if (!Array.isArray(schedules) || schedules.length === 0) {
    throw new TypeError(
      `${where}: schedules must be a non-empty array of schedules, got ${showValue(schedules)}`,
    );
  }
  schedules.forEach((s: unknown, i) => {
    if (typeof s !== 'function') {
      throw new TypeError(
        `${where}: schedules[${i}] must be a schedule function, got ${showValue(s)}`,
      );
    }
  });
  return [...(schedules as Schedule[])];
}

/**
 * Runs schedules one after another (PyTorch SequentialLR): `schedules[0]` applies before
 * `milestones[0]`, and `schedules[i]` from `milestones[i − 1]` on, seeing the step counted
 * from its milestone (`step − milestones[i − 1]`), as SequentialLR restarts each scheduler at
 * its milestone. Every schedule gets the same base lr. Needs one milestone fewer than
 * schedules, as strictly increasing positive integers.
 *
 * @example
 * ```ts
 * // 100 steps of warmup from 0.1 · base, then a cosine from base to 0 over 900 steps
 * sequential(
 *   [linearWarmup({ startFactor: 0.1, totalIters: 100 }), cosineAnnealing({ tMax: 900 })],
 *   [100],
 * );
 * ```
 */
export function sequential(
  schedules: readonly Schedule[],
  milestones: readonly number[],
): Schedule {
  const where = 'sequential';
  const list = checkSchedules(where, schedules);
  if (!Array.isArray(milestones)) {
    throw new TypeError(`${where}: milestones must be an array, got ${showValue(milestones)}`);
  }
  if (milestones.length !== list.length - 1) {
    throw new RangeError(
      `${where}: milestones must hold one entry fewer than schedules (${list.length - 1} for ${list.length} schedules), got ${milestones.length}: ${showValue(milestones)}`,
    );
  }
  const marks = [...milestones];
  marks.forEach((m: unknown, i) => {
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1) {
      const Err = typeof m === 'number' ? RangeError : TypeError;
      throw new Err(`${where}: milestones[${i}] must be a positive integer, got ${showValue(m)}`);
    }
    const before = marks[i - 1];
    if (before !== undefined && m <= before) {
      throw new RangeError(
        `${where}: milestones must be strictly increasing, but milestones[${i}] = ${m} follows milestones[${i - 1}] = ${before}`,
      );
    }
  });
  return defineSchedule(where, (step, base) => {
    // bisect_right, as SequentialLR: at step == milestone the next schedule starts, at its 0.
    let i = 0;
    while (i < marks.length && step >= (marks[i] as number)) i += 1;
    const from = i === 0 ? 0 : (marks[i - 1] as number);
    return (list[i] as Schedule)(step - from, base);
  });
}

/**
 * Multiplies schedules (PyTorch ChainedScheduler): every schedule sees the same step, and the
 * lr is base · Π (sᵢ(step, base) / base), the product of their factors of the base lr.
 * It equals ChainedScheduler exactly when every schedule is a multiple of the base lr (all
 * here but {@link cosineAnnealing} with `etaMin` > 0 and {@link oneCycle}). A base lr of 0
 * gives 0.
 *
 * @example
 * ```ts
 * // warmup and step decay at once
 * chain([linearWarmup({ startFactor: 0.1, totalIters: 10 }), stepDecay({ stepSize: 30 })]);
 * ```
 */
export function chain(schedules: readonly Schedule[]): Schedule {
  const list = checkSchedules('chain', schedules);
  return defineSchedule('chain', (step, base) => {
    if (base === 0) return 0;
    let lr = base;
    for (const s of list) lr *= s(step, base) / base;
    return lr;
  });
}
