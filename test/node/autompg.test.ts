/**
 * The auto-mpg example (npm run example -- autompg): its data preparation, and its committed
 * results (examples/results/autompg.json) against the committed PyTorch run of the same
 * experiment (test/fixtures/autompg_torch.json, written by scripts/autompg_torch.py).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lossChartSvg } from '../../examples/autompg/chart.ts';
import { runCpu } from '../../examples/autompg/cpu.ts';
import {
  selectRows,
  standardisation,
  standardisedInputs,
  type Row,
} from '../../examples/autompg/data.ts';
import {
  BATCH_SIZE,
  EPOCHS,
  OPTIMIZERS,
  batchRanges,
  type OptimizerConfig,
} from '../../examples/autompg/experiment.ts';
import { initialParams } from '../../examples/autompg/init.ts';
import { loadAutoMpg } from '../../examples/autompg/load.ts';
import type { AutoMpgResults } from '../../examples/autompg/results.ts';
import {
  DEFAULT_EPOCHS,
  epochsArg,
  outputBase,
  resultsJson,
} from '../../scripts/exampleAutompg.ts';
import { LOSS_RTOL as TOLERANCE, maxRelDiff } from '../autompgTolerance.ts';

const results = JSON.parse(readFileSync('examples/results/autompg.json', 'utf8')) as AutoMpgResults;
const torch = JSON.parse(readFileSync('test/fixtures/autompg_torch.json', 'utf8')) as {
  torch: string;
  epochs: number;
  optimizers: { name: string; losses: number[] }[];
};

describe('auto-mpg data', () => {
  it('keeps the rows with all four fields, in file order', () => {
    const cars = [
      { Cylinders: 4, Displacement: 100, Weight_in_lbs: 2000, Miles_per_Gallon: 30 },
      { Cylinders: 6, Displacement: 200, Weight_in_lbs: 3000, Miles_per_Gallon: null },
      { Cylinders: 8, Displacement: null, Weight_in_lbs: 4000, Miles_per_Gallon: 15 },
      { Cylinders: 8, Displacement: 300, Weight_in_lbs: 4000, Miles_per_Gallon: 14 },
    ];
    expect(selectRows(cars)).toEqual([
      [4, 100, 2000, 30],
      [8, 300, 4000, 14],
    ]);
    expect(() => selectRows({})).toThrow(/cars: expected an array, got object/);
  });

  it('standardises with the population std (divide by n), like numpy and sklearn', () => {
    const rows: Row[] = [
      [1, 10, 0, 0],
      [2, 10, 4, 0],
      [3, 10, 8, 0],
      [4, 10, 12, 0],
    ];
    // Column 0: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, / 4 → var 1.25.
    const s = standardisation(rows);
    expect(s.mean).toEqual([2.5, 10, 6]);
    expect(s.std[0]).toBe(Math.sqrt(1.25));
    expect(s.std[2]).toBe(Math.sqrt(20)); // 36 + 4 + 4 + 36 = 80, / 4
    expect(() => standardisation([])).toThrow(RangeError);
  });

  it("loads vega-datasets' 398 complete cars, standardised to mean 0 and variance 1", () => {
    const { rows, problem } = loadAutoMpg();
    expect(rows).toHaveLength(398); // 406 cars, 8 without MPG
    expect(problem.x).toHaveLength(398 * 3);
    for (let k = 0; k < 3; k++) {
      const col = problem.x.filter((_, i) => i % 3 === k);
      const mean = col.reduce((a, v) => a + v, 0) / col.length;
      const variance = col.reduce((a, v) => a + (v - mean) ** 2, 0) / col.length;
      expect(Math.abs(mean)).toBeLessThan(1e-6);
      expect(variance).toBeCloseTo(1, 6);
    }
  });

  it('batches 398 rows as 11 of 34 and a last one of 24, in row order', () => {
    const b = batchRanges(398);
    expect(b).toHaveLength(12);
    expect(b[0]).toEqual([0, 34]);
    expect(b[11]).toEqual([374, 398]);
  });

  it('draws the init in nn.Linear(3, 1)’s range, the same every time, as f32', () => {
    const a = initialParams();
    expect(initialParams()).toEqual(a);
    for (const v of [...a.weight, a.bias]) {
      expect(Math.abs(v)).toBeLessThan(1 / Math.sqrt(3));
      expect(Math.fround(v)).toBe(v);
    }
    expect(initialParams(9)).not.toEqual(a);
  });
});

describe('the example script', () => {
  it('reads --epochs', () => {
    expect(epochsArg(['autompg'])).toBe(DEFAULT_EPOCHS);
    expect(epochsArg(['autompg', '--epochs', '25'])).toBe(25);
    expect(() => epochsArg(['--epochs', '0'])).toThrow(
      /--epochs: expected a positive integer, got 0/,
    );
    expect(() => epochsArg(['--epochs', 'x'])).toThrow(RangeError);
  });

  it('writes the full run to the committed files and shorter runs beside them', () => {
    expect(outputBase(EPOCHS)).toBe('examples/results/autompg');
    expect(outputBase(5)).toBe('examples/results/autompg-5epochs');
  });

  it('draws one line per optimizer with a legend on a log-scale y', () => {
    const svg = lossChartSvg(
      [
        { name: 'A', losses: [100, 10, 1] },
        { name: 'B', losses: [50, 40, 30] },
      ],
      'title',
      'sub',
    );
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('>A</text>');
    expect(svg).toContain('>B</text>');
    expect(svg).toContain('log scale');
    expect(() => lossChartSvg([], 't', 's')).toThrow(RangeError);
  });
});

describe('committed auto-mpg results', () => {
  const inputs = loadAutoMpg();

  it('record the rows, standardisation and init this code derives from vega-datasets', () => {
    expect(results.data.rows).toEqual(inputs.rows);
    expect(results.standardisation.mean).toEqual(inputs.standardisation.mean);
    expect(results.standardisation.std).toEqual(inputs.standardisation.std);
    expect(results.init.weight).toEqual(inputs.problem.weight);
    expect(results.init.bias).toBe(inputs.problem.bias);
    expect(Array.from(standardisedInputs(results.data.rows, results.standardisation))).toEqual(
      inputs.problem.x,
    );
    expect(results.batchSize).toBe(BATCH_SIZE);
    expect(results.epochs).toBe(EPOCHS);
    expect(
      results.optimizers.map(({ name, algorithm, options }) => ({ name, algorithm, options })),
    ).toEqual(OPTIMIZERS);
  });

  it('round-trip through the writer', () => {
    expect(JSON.parse(resultsJson(results))).toEqual(results);
  });

  it('hold CPU-reference curves that a rerun reproduces bitwise', () => {
    for (const [k, config] of OPTIMIZERS.entries())
      expect(runCpu(inputs.problem, config, EPOCHS).losses, config.name).toEqual(
        results.optimizers[k]?.reference,
      );
  });

  it(`match PyTorch ${torch.torch} (torch.optim) at every epoch within ${TOLERANCE} relative, on the GPU and the CPU`, () => {
    expect(torch.epochs).toBe(results.epochs);
    expect(torch.optimizers.map((o) => o.name)).toEqual(OPTIMIZERS.map((o) => o.name));
    for (const [k, r] of results.optimizers.entries()) {
      const t = torch.optimizers[k]?.losses ?? [];
      expect(maxRelDiff(r.losses, t).rel, `${r.name} GPU vs torch`).toBeLessThan(TOLERANCE);
      expect(maxRelDiff(r.reference, t).rel, `${r.name} CPU vs torch`).toBeLessThan(TOLERANCE);
      expect(maxRelDiff(r.losses, r.reference).rel, `${r.name} GPU vs CPU`).toBeLessThan(TOLERANCE);
    }
  });

  it('tell the conventions apart: TF.js-style Adagrad and RMSprop defaults miss PyTorch', () => {
    const variant = (name: string, change: Record<string, number>): OptimizerConfig => {
      const base = OPTIMIZERS.find((o) => o.name === name) as OptimizerConfig;
      return { ...base, options: { ...base.options, ...change } } as OptimizerConfig;
    };
    const torchCurve = (name: string) =>
      torch.optimizers.find((o) => o.name === name)?.losses ?? [];
    // TF.js starts AdaGrad's accumulator at 0.1; RMSprop's decay (alpha) defaults to 0.9.
    const adagrad = runCpu(
      inputs.problem,
      variant('Adagrad', { initialAccumulatorValue: 0.1 }),
      EPOCHS,
    );
    const rmsprop = runCpu(inputs.problem, variant('RMSprop', { alpha: 0.9 }), EPOCHS);
    expect(maxRelDiff(adagrad.losses, torchCurve('Adagrad')).rel).toBeGreaterThan(TOLERANCE);
    expect(maxRelDiff(rmsprop.losses, torchCurve('RMSprop')).rel).toBeGreaterThan(100 * TOLERANCE);
  });

  it('fall for every optimizer, Adagrad slowest (its accumulated g² shrinks its steps)', () => {
    const final = new Map(results.optimizers.map((o) => [o.name, o.losses.at(-1) as number]));
    for (const o of results.optimizers)
      expect(o.losses.at(-1), o.name).toBeLessThan(o.losses[0] as number);
    for (const name of ['SGD', 'Momentum', 'RMSprop', 'Adam'])
      expect(final.get(name), name).toBeLessThan(final.get('Adagrad') as number);
  });
});
