/** The benchmark's pure parts: scenarios, the bytes-per-parameter model, statistics, output. */
import { describe, expect, it } from 'vitest';
import { FEATURE_VARIANTS, featureBytes } from '../../bench/featureVariants.ts';
import { BENCH_ALGORITHMS, benchAlgorithm, bytesPerParam } from '../../bench/algorithms.ts';
import { chartSvg } from '../../bench/chart.ts';
import { big, model, parameterCount, tiny } from '../../bench/scenarios.ts';
import { stat } from '../../bench/stats.ts';
import { COLUMNS, featureRows, scalingRows, tableRows, textTable } from '../../bench/table.ts';
import type { BenchResult } from '../../bench/types.ts';

describe('bench scenarios', () => {
  it('big is one tensor of 2^24 parameters', () => {
    expect(big().tensors).toEqual([{ name: 'w', length: 16_777_216 }]);
  });
  it('model is a transformer of at least 100 tensors of mixed lengths', () => {
    const m = model();
    expect(m.tensors.length).toBeGreaterThanOrEqual(100);
    expect(new Set(m.tensors.map((t) => t.length)).size).toBeGreaterThan(3);
    // 4096·256 (tok) + 256·256 (pos) + 6 × 789_760 (layers) + 512 (ln_f) + 4096·256 (head)
    expect(parameterCount(m)).toBe(6_901_760);
  });
  it('tiny is 500 tensors of 64–4096 elements, the same every run', () => {
    const t = tiny();
    expect(t.tensors).toHaveLength(500);
    expect(t.tensors.every((x) => x.length >= 64 && x.length <= 4096)).toBe(true);
    expect(tiny().tensors).toEqual(t.tensors);
  });
});

describe('benchmark row keys (--algorithms=)', () => {
  it('finds a row by its key, sgd-plain included, and lists the keys for an unknown one', () => {
    expect(benchAlgorithm('sgd-plain')).toMatchObject({ name: 'sgd', options: { lr: 0.01 } });
    expect(benchAlgorithm('sgd').options).toEqual({ lr: 0.01, momentum: 0.9 });
    expect(() => benchAlgorithm('sgd_plain')).toThrow(
      /^unknown algorithm "sgd_plain"; choose from sgd, sgd-plain, adagrad, .*, schedulefreeadamw$/,
    );
  });
});

describe('bytes per parameter (f32)', () => {
  it('is 12 + 8 per state array', () => {
    // Adam: read p, g, m, v (16 B) + write p, m, v (12 B) = 28 B
    expect(bytesPerParam('adam', {})).toBe(28);
    expect(bytesPerParam('adam', { amsgrad: true })).toBe(36);
    expect(bytesPerParam('adamax', {})).toBe(28);
    expect(bytesPerParam('adadelta', {})).toBe(28);
    expect(bytesPerParam('lion', {})).toBe(20);
    expect(bytesPerParam('adamw', {})).toBe(28);
    expect(bytesPerParam('sgd', {})).toBe(12);
    expect(bytesPerParam('sgd', { momentum: 0.9 })).toBe(20);
    expect(bytesPerParam('adagrad', {})).toBe(20);
    expect(bytesPerParam('rmsprop', { centered: true, momentum: 0.9 })).toBe(36);
    // NAdam, RAdam: read p, g, exp_avg, exp_avg_sq + write p, exp_avg, exp_avg_sq = 28 B
    expect(bytesPerParam('nadam', {})).toBe(28);
    expect(bytesPerParam('radam', { decoupledWeightDecay: true })).toBe(28);
    // Schedule-Free AdamW: read p, g, z, exp_avg_sq + write p, z, exp_avg_sq = 28 B
    expect(bytesPerParam('schedulefreeadamw', {})).toBe(28);
  });
  it("adds LAMB's per-tensor sums pass: read p, g, m, v again (16 B)", () => {
    // update 28 B (as Adam) + sums pass 16 B = 44 B
    expect(bytesPerParam('lamb', {})).toBe(44);
  });
  it('every benchmarked algorithm but AdamW, Lion, NAdam, RAdam, LAMB and Schedule-Free AdamW has a TF.js peer', () => {
    expect(BENCH_ALGORITHMS.filter((a) => a.tfjs === null).map((a) => a.name)).toEqual([
      'adamw',
      'lion',
      'nadam',
      'radam',
      'lamb',
      'schedulefreeadamw',
    ]);
  });
});

describe('bench rows', () => {
  it('have keys of their own: SGD with momentum against tf.train.momentum, plain SGD against tf.train.sgd', () => {
    const keys = BENCH_ALGORITHMS.map((a) => a.key);
    expect(new Set(keys).size).toBe(keys.length);
    const sgd = BENCH_ALGORITHMS.find((a) => a.key === 'sgd');
    const plain = BENCH_ALGORITHMS.find((a) => a.key === 'sgd-plain');
    expect(sgd).toMatchObject({ name: 'sgd', tfjs: 'tf.train.momentum(0.01, 0.9)' });
    expect(plain).toMatchObject({ name: 'sgd', tfjs: 'tf.train.sgd(0.01)' });
    // momentum 0.9: read p, g, momentum_buffer + write p, momentum_buffer = 20 B
    expect(bytesPerParam('sgd', sgd?.options ?? {})).toBe(20);
    // momentum 0 (PyTorch's default): read p, g + write p = 12 B
    expect(bytesPerParam('sgd', plain?.options ?? {})).toBe(12);
  });
  it('every other row is keyed by its algorithm', () => {
    const others = BENCH_ALGORITHMS.filter((a) => a.key !== 'sgd-plain');
    expect(others.every((a) => a.key === a.name)).toBe(true);
  });
});

describe('bench statistics and output', () => {
  it('median and spread', () => {
    expect(stat([3, 1, 2])).toMatchObject({ median: 2, min: 1, max: 3, spread: 1, samples: 3 });
    expect(stat([4, 1, 2, 3]).median).toBe(2.5);
  });
  it('renders a table and a chart from a result, marking unreliable rows', () => {
    const s = { median: 10, min: 9, max: 11, spread: 0.2, samples: 3 };
    const result = {
      date: '2026-01-01',
      userAgent: 'x',
      adapter: { vendor: 'v', architecture: 'a', device: '', description: '' },
      features: [],
      timing: 'wall',
      config: {} as BenchResult['config'],
      tinyScaling: [],
      featureCosts: null,
      scenarios: [
        {
          name: 'big',
          description: 'd',
          tensors: 1,
          params: 1e6,
          roofline: { kernel: s, copy: s, best: 10, bytes: 4e6 },
          rows: [
            {
              algorithm: 'adam',
              label: 'Adam',
              options: {},
              bytesPerParam: 28,
              ours: { gpuMs: s, wallMs: s, hostMs: s, dispatches: 1, timing: 'wall' },
              msPerStep: 10,
              paramsPerSec: 1e8,
              gbps: 2.8,
              percentOfRoofline: 28,
              percentOfCopyKernel: 28,
              tfjs: { wallMs: { ...s, median: 70 }, hostMs: s, dispatches: 14 },
              plainJs: null,
              reference: null,
              speedup: { tfjs: 7, plainJs: null, reference: null },
              separate: null,
              flags: [],
              unreliable: false,
            },
          ],
        },
        {
          name: 'model',
          description: 'd',
          tensors: 101,
          params: 1e6,
          roofline: { kernel: s, copy: s, best: 10, bytes: 4e6 },
          rows: [
            {
              algorithm: 'adam',
              label: 'Adam',
              options: {},
              bytesPerParam: 28,
              ours: { gpuMs: s, wallMs: s, hostMs: s, dispatches: 1, timing: 'wall' },
              msPerStep: 11.2,
              paramsPerSec: 1e8,
              gbps: 2.5,
              percentOfRoofline: 25,
              percentOfCopyKernel: 25,
              tfjs: null,
              plainJs: null,
              reference: null,
              speedup: { tfjs: null, plainJs: null, reference: null },
              separate: {
                ours: { gpuMs: s, wallMs: s, hostMs: s, dispatches: 101, timing: 'wall' },
                msPerStep: 11.7,
                gbps: 2.4,
                speedupTfjs: 9.5,
              },
              flags: [],
              unreliable: false,
            },
          ],
        },
      ],
    } satisfies BenchResult;
    const text = textTable(COLUMNS, tableRows(result));
    expect(text).toContain('adam');
    expect(text).toContain('7.0');
    // model at 2.5 and 2.4 GB/s (separate) against big's 2.8: 89 % and 86 % of big
    const model = tableRows(result)[1] as string[];
    const cell = (name: (typeof COLUMNS)[number]) => model[COLUMNS.indexOf(name)];
    expect([cell('% big'), cell('sep. % big'), cell('sep. disp.'), cell('× TF.js sep.')]).toEqual([
      '89',
      '86',
      '101',
      '9.5',
    ]);
    expect(text).not.toContain('!');
    const svg = chartSvg(result);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('roofline 10.00 GB/s');
    expect(svg).not.toContain('unreliable');

    const reason = 'ours spread 37% > 25%';
    const scenario = result.scenarios[0] as BenchResult['scenarios'][number];
    const row = scenario.rows[0] as BenchResult['scenarios'][number]['rows'][number];
    const flagged: BenchResult = {
      ...result,
      scenarios: [
        {
          ...scenario,
          rows: [{ ...row, flags: [{ code: 'spread', reason }], unreliable: true }],
        },
        ...result.scenarios.slice(1),
      ],
      tinyScaling: [
        {
          tensors: 50,
          oursHostMs: 0.1,
          tfjsHostMs: 20,
          oursHostSpread: 0.75,
          tfjsHostSpread: 0.01,
          oursDispatches: 1,
          tfjsDispatches: 700,
          flags: [{ code: 'spread', reason: 'ours host spread 75% > 25%' }],
          unreliable: true,
        },
      ],
      featureCosts: {
        scenario: 'model',
        rows: [
          {
            label: 'Adam',
            msPerStep: 60,
            spread: 0.05,
            samples: 5,
            dispatches: 1,
            bytesPerParam: 28,
            gbps: 3.2,
            ratio: 1,
            flags: [],
            unreliable: false,
          },
          {
            label: 'bf16 + GradScaler + clipGradNorm',
            msPerStep: 35,
            spread: 0.1,
            samples: 5,
            dispatches: 5,
            bytesPerParam: 24,
            gbps: 4.7,
            ratio: 0.58,
            flags: [{ code: 'below-bytes-floor', reason: 'too fast' }],
            unreliable: true,
          },
          {
            label: 'stateDtype q8',
            msPerStep: 120,
            spread: 0.05,
            samples: 5,
            dispatches: 1,
            bytesPerParam: 16.0625,
            gbps: 0.9,
            ratio: 2,
            flags: [],
            unreliable: false,
          },
        ],
      },
    };
    const [mainRow] = tableRows(flagged);
    expect(mainRow?.[0]).toBe('! big');
    expect(mainRow?.at(-1)).toBe(reason);
    expect(textTable(COLUMNS, tableRows(flagged))).toContain(reason);
    expect(scalingRows(flagged)[0]?.[0]).toBe('! 50');
    expect(featureRows(flagged).map((r) => [r[0], r.at(-1)])).toEqual([
      ['Adam', ''],
      ['! bf16 + GradScaler + clipGradNorm', 'too fast'],
      ['stateDtype q8', ''],
    ]);
    // B/param: whole bytes as they are, 8-bit state's fraction to two decimals
    expect(featureRows(flagged).map((r) => r[4])).toEqual(['28', '24', '16.06']);
    const flaggedSvg = chartSvg(flagged);
    expect(flaggedSvg).toContain('! adam');
    expect(flaggedSvg).toContain('fill-opacity="0.3"');
    expect(flaggedSvg).toContain(`big/adam: ${reason}`);
  });
});

describe('feature-cost variants', () => {
  it('count the bytes each moves per parameter', () => {
    // Adam 28 = 12 + 2·8; a grad pass +4; 16-bit moments 12 + 2·4 = 20; 8-bit moments a code
    // read and written plus a 4-byte absmax per 256 read and written: 12 + 2·(2 + 8/256) = 16.0625
    expect(FEATURE_VARIANTS.map((v) => [v.label, featureBytes(v)])).toEqual([
      ['Adam', 28],
      ['+ clipGradNorm', 32],
      ['+ GradScaler', 32],
      ['+ GradScaler + clipGradNorm', 32],
      ['stateDtype bf16', 20],
      ['stateDtype f16', 20],
      ['bf16 + GradScaler + clipGradNorm', 24],
      ['stateDtype q8', 16.0625],
    ]);
  });
});
