import { check, positiveInteger, type Schedule } from './types.ts';

/**
 * Linear warmup (PyTorch LinearLR): the factor goes linearly from `startFactor` to
 * `endFactor` over `totalIters` steps, then stays at `endFactor`:
 * lr = base · (startFactor + (endFactor − startFactor) · min(step, totalIters) / totalIters).
 */
export function linearWarmup(
  options: { startFactor?: number; endFactor?: number; totalIters?: number } = {},
): Schedule {
  const start = check(
    'linearWarmup',
    'startFactor',
    options.startFactor ?? 1 / 3,
    (v) => v > 0 && v <= 1,
    'in (0, 1]',
  );
  const end = check(
    'linearWarmup',
    'endFactor',
    options.endFactor ?? 1,
    (v) => v >= 0 && v <= 1,
    'in [0, 1]',
  );
  const total = check(
    'linearWarmup',
    'totalIters',
    options.totalIters ?? 5,
    positiveInteger,
    'a positive integer',
  );
  return (step, base) => base * (start + ((end - start) * Math.min(step, total)) / total);
}
