import type { Schedule } from './types.ts';
import { POSITIVE_INTEGER, checkNumber, defineSchedule, readOptions } from './validate.ts';

/** Options of {@link linearWarmup}. PyTorch LinearLR's names and defaults. */
export interface LinearWarmupOptions {
  /** Factor of the base lr at step 0; in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** Factor from step `totalIters` on; in [0, 1]. Default 1. */
  endFactor?: number;
  /** Steps over which the factor moves; a positive integer. Default 5. */
  totalIters?: number;
}

/**
 * Linear warmup (PyTorch LinearLR): the factor moves linearly from `startFactor` to
 * `endFactor` over `totalIters` steps, then stays at `endFactor`:
 * lr = base · (startFactor + (endFactor − startFactor) · min(step, totalIters) / totalIters).
 * With `endFactor` below `startFactor` it is a linear decay.
 */
export function linearWarmup(options: LinearWarmupOptions = {}): Schedule {
  const where = 'linearWarmup';
  const o = readOptions(where, options, ['startFactor', 'endFactor', 'totalIters']);
  const startFactor = checkNumber(where, 'startFactor', o.startFactor ?? 1 / 3, {
    test: (v) => v > 0 && v <= 1,
    text: 'a number in (0, 1]',
  });
  const endFactor = checkNumber(where, 'endFactor', o.endFactor ?? 1, {
    test: (v) => v >= 0 && v <= 1,
    text: 'a number in [0, 1]',
  });
  const totalIters = checkNumber(where, 'totalIters', o.totalIters ?? 5, POSITIVE_INTEGER);
  return defineSchedule(
    where,
    (step, base) =>
      base * (startFactor + ((endFactor - startFactor) * Math.min(totalIters, step)) / totalIters),
  );
}
