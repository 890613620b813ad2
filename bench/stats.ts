/** Median and spread of repeated measurements. */
export interface Stat {
  median: number;
  min: number;
  max: number;
  /** (max − min) / median, as a fraction. */
  spread: number;
  samples: number;
}

export function stat(values: readonly number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: NaN, min: NaN, max: NaN, spread: NaN, samples: 0 };
  const median =
    n % 2
      ? (sorted[(n - 1) / 2] as number)
      : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
  const min = sorted[0] as number;
  const max = sorted[n - 1] as number;
  return { median, min, max, spread: median > 0 ? (max - min) / median : 0, samples: n };
}
