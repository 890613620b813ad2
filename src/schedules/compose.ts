import type { Schedule } from './types.ts';

/**
 * Runs schedules one after another (PyTorch SequentialLR): schedule i applies from
 * milestones[i − 1] on and sees the step counted from its milestone. For example warmup then
 * cosine: `sequential([linearWarmup({ totalIters: 100 }), cosineAnnealing({ tMax: 900 })], [100])`.
 */
export function sequential(
  schedules: readonly Schedule[],
  milestones: readonly number[],
): Schedule {
  if (
    !Array.isArray(schedules) ||
    schedules.length < 1 ||
    schedules.some((s) => typeof s !== 'function')
  ) {
    throw new TypeError('sequential: schedules must be a non-empty array of schedules');
  }
  if (!Array.isArray(milestones) || milestones.length !== schedules.length - 1) {
    throw new RangeError(
      `sequential: expected ${schedules.length - 1} milestones for ${schedules.length} schedules, got ${Array.isArray(milestones) ? milestones.length : String(milestones)}`,
    );
  }
  milestones.forEach((m, i) => {
    if (!Number.isInteger(m) || m < 1 || (i > 0 && m <= (milestones[i - 1] as number))) {
      throw new RangeError(
        `sequential: milestones must be increasing positive integers, got [${milestones.join(', ')}]`,
      );
    }
  });
  return (step, base) => {
    let i = 0;
    while (i < milestones.length && step >= (milestones[i] as number)) i++;
    const from = i === 0 ? 0 : (milestones[i - 1] as number);
    return (schedules[i] as Schedule)(step - from, base);
  };
}

/** Multiplies schedules' factors (PyTorch ChainedScheduler): lr = base · Π (sᵢ(step, base) / base). */
export function chain(schedules: readonly Schedule[]): Schedule {
  if (!Array.isArray(schedules) || schedules.length < 1) {
    throw new TypeError('chain: schedules must be a non-empty array of schedules');
  }
  return (step, base) =>
    schedules.reduce((lr, s) => (base === 0 ? 0 : (lr * s(step, base)) / base), base);
}
