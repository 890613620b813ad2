/**
 * The auto-mpg data of the seed notes' optimizer comparison, from vega-datasets' cars.json:
 * the rows with Cylinders, Displacement, Weight and MPG all present, standardised with the
 * population standard deviation (numpy's `x.std(axis=0)`, as the notes compute it, and
 * sklearn's StandardScaler; not pandas' sample std).
 */

/** The three inputs, in cars.json's field names, then the target. */
export const FEATURE_FIELDS = ['Cylinders', 'Displacement', 'Weight_in_lbs'] as const;
/** The regression target. */
export const TARGET_FIELD = 'Miles_per_Gallon';

/** One row: [Cylinders, Displacement, Weight, MPG], as cars.json holds them. */
export type Row = [number, number, number, number];

/** Column means and population standard deviations of the three inputs, computed in f64. */
export interface Standardisation {
  mean: [number, number, number];
  std: [number, number, number];
}

/**
 * Keeps cars.json's rows, in file order, whose four fields are all numbers (8 of the 406
 * rows have no MPG; none lacks an input). Throws when `cars` is not an array of objects.
 */
export function selectRows(cars: unknown): Row[] {
  if (!Array.isArray(cars)) throw new TypeError(`cars: expected an array, got ${typeof cars}`);
  const rows: Row[] = [];
  for (const car of cars as Record<string, unknown>[]) {
    const values = [...FEATURE_FIELDS, TARGET_FIELD].map((k) => car[k]);
    if (values.every((v): v is number => typeof v === 'number' && Number.isFinite(v)))
      rows.push(values as Row);
  }
  return rows;
}

/** Means and population standard deviations (divide by n) of the three input columns. */
export function standardisation(rows: readonly Row[]): Standardisation {
  if (rows.length === 0) throw new RangeError('rows: expected at least one row, got 0');
  const n = rows.length;
  const column = (k: number) => rows.map((r) => r[k] as number);
  const mean = [0, 1, 2].map((k) => column(k).reduce((a, v) => a + v, 0) / n);
  const std = [0, 1, 2].map((k) =>
    Math.sqrt(column(k).reduce((a, v) => a + (v - (mean[k] as number)) ** 2, 0) / n),
  );
  return { mean: mean as Standardisation['mean'], std: std as Standardisation['std'] };
}

/**
 * The model's inputs, row-major n × 3: `(v − mean) / std` in f64, then rounded to f32 (what
 * `((x - mean) / std).astype(np.float32)` gives in the PyTorch cross-check).
 */
export function standardisedInputs(rows: readonly Row[], s: Standardisation): Float32Array {
  const x = new Float32Array(rows.length * 3);
  rows.forEach((r, i) => {
    for (let k = 0; k < 3; k++)
      x[i * 3 + k] = ((r[k] as number) - (s.mean[k] as number)) / (s.std[k] as number);
  });
  return x;
}

/** The targets (MPG) as f32. */
export function targets(rows: readonly Row[]): Float32Array {
  return Float32Array.from(rows, (r) => r[3]);
}
