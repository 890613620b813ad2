/**
 * validateStateDict, savedParamGroups, composeStateDict and restoreScheduler
 * (src/options/stateDict.ts): every rejection with its whole message, and the exact shapes.
 */
import { describe, expect, it } from 'vitest';
import {
  composeStateDict,
  restoreScheduler,
  savedParamGroups,
  validateStateDict,
  type StateDict,
} from '../../src/options/stateDict.ts';
import type { StateName } from '../../src/options/types.ts';

const W = 'Adam.loadStateDict';
const bad = (field: string, msg: string) => new Error(`${W}: invalid state dict: ${field} ${msg}`);
const names: StateName[][] = [['exp_avg', 'exp_avg_sq'], []];
const lengths = [2, 3];

function good(): StateDict {
  return {
    format: 'webgpu-optim/state-dict',
    version: 1,
    algorithm: 'adam',
    stateDtype: 'f32',
    state: [
      { step: 2, exp_avg: new Float32Array(2), exp_avg_sq: new Float32Array(2) },
      { step: 0 },
    ],
    paramGroups: [],
  };
}
const check = (d: unknown, dtype?: 'f32' | 'f16') => () =>
  validateStateDict(d, 'adam', lengths, names, W, dtype);

describe('validateStateDict', () => {
  it('accepts a fitting dict, and step 0', () => {
    expect(check(good())).not.toThrow();
    expect(check({ ...good(), stateDtype: 'f16' }, 'f16')).not.toThrow();
  });

  it.each([
    ['null', null, bad('(root)', 'must be an object, got null')],
    ['a number', 3, bad('(root)', 'must be an object, got 3')],
  ])('rejects %s', (_, d, err) => expect(check(d)).toThrowError(err));

  it('names the header field at fault', () => {
    expect(check({ ...good(), format: 'x' })).toThrowError(
      bad('format', 'must be "webgpu-optim/state-dict", got "x"'),
    );
    expect(check({ ...good(), version: 2 })).toThrowError(bad('version', 'must be 1, got 2'));
    expect(check({ ...good(), stateDtype: 'bf16' })).toThrowError(
      bad(
        'stateDtype',
        'is "bf16" but this optimizer stores "f32" (stateDtype is fixed at construction)',
      ),
    );
    expect(check({ ...good(), algorithm: 'sgd' })).toThrowError(
      bad('algorithm', 'is "sgd" but this optimizer is "adam"'),
    );
    expect(check({ ...good(), state: {} })).toThrowError(bad('state', 'must be an array'));
    expect(check({ ...good(), state: [good().state[0]] })).toThrowError(
      bad('state', 'holds 1 tensors but this optimizer has 2'),
    );
  });

  it('names the tensor and the array at fault', () => {
    const with1 = (s: unknown) => ({ ...good(), state: [good().state[0], s] });
    const with0 = (s: unknown) => ({ ...good(), state: [s, { step: 0 }] });
    expect(check(with1(null))).toThrowError(bad('state[1]', 'must be an object'));
    expect(check(with1(7))).toThrowError(bad('state[1]', 'must be an object'));
    expect(check(with1({ step: -1 }))).toThrowError(
      bad('state[1].step', 'must be a non-negative integer, got -1'),
    );
    expect(check(with1({ step: 1.5 }))).toThrowError(
      bad('state[1].step', 'must be a non-negative integer, got 1.5'),
    );
    expect(check(with1({ step: '1' }))).toThrowError(
      bad('state[1].step', 'must be a non-negative integer, got 1'),
    );
    expect(check(with1({}))).toThrowError(
      bad('state[1].step', 'must be a non-negative integer, got undefined'),
    );
    expect(check(with0({ step: 1, exp_avg: new Float32Array(2) }))).toThrowError(
      bad('state[0].exp_avg_sq', 'must be a Float32Array, got nothing'),
    );
    expect(
      check(with0({ step: 1, exp_avg: [0, 0], exp_avg_sq: new Float32Array(2) })),
    ).toThrowError(bad('state[0].exp_avg', 'must be a Float32Array, got object'));
    expect(
      check(with0({ step: 1, exp_avg: new Float32Array(3), exp_avg_sq: new Float32Array(2) })),
    ).toThrowError(bad('state[0].exp_avg', 'has length 3, expected 2'));
    expect(check(with0({ ...good().state[0], max_exp_avg_sq: new Float32Array(2) }))).toThrowError(
      bad('state[0].max_exp_avg_sq', 'is not kept for this tensor (it keeps exp_avg, exp_avg_sq)'),
    );
    expect(check(with1({ step: 0, sum: new Float32Array(3) }))).toThrowError(
      bad('state[1].sum', 'is not kept for this tensor (it keeps no arrays)'),
    );
  });
});

describe('savedParamGroups and composeStateDict', () => {
  it('numbers tensors across groups and deep-copies the options', () => {
    const betas = [0.9, 0.999];
    const groups = [
      { params: ['a', 'b'], lr: 0.1, betas },
      { params: ['c'], lr: 0.2, betas },
    ];
    const saved = savedParamGroups(groups);
    expect(saved).toEqual([
      { params: [0, 1], lr: 0.1, betas: [0.9, 0.999] },
      { params: [2], lr: 0.2, betas: [0.9, 0.999] },
    ]);
    betas[0] = 0.5;
    expect(saved[0]?.betas).toEqual([0.9, 0.999]);
  });

  it('writes the header, and the scheduler and scaler only when given', () => {
    const state = [{ step: 1 }];
    expect(composeStateDict('sgd', state, [], undefined)).toStrictEqual({
      format: 'webgpu-optim/state-dict',
      version: 1,
      stateDtype: 'f32',
      algorithm: 'sgd',
      state,
      paramGroups: [],
    });
    const sched = { lastEpoch: 3, baseLrs: [0.1] };
    const scaler = {
      scale: 2,
      growthFactor: 2,
      backoffFactor: 0.5,
      growthInterval: 10,
      growthTracker: 1,
    };
    const d = composeStateDict('adam', state, [], sched, 'bf16', scaler as never);
    expect(d.scheduler).toBe(sched);
    expect(d.gradScaler).toBe(scaler);
    expect(d.stateDtype).toBe('bf16');
  });
});

describe('restoreScheduler', () => {
  it('loads the position, requires one when a scheduler is attached, ignores one otherwise', () => {
    const loaded: unknown[] = [];
    const sched = {
      stateDict: () => ({ lastEpoch: 0, baseLrs: [] }),
      loadStateDict: (s: unknown) => loaded.push(s),
    };
    const pos = { lastEpoch: 2, baseLrs: [0.1] };
    restoreScheduler({ ...good(), scheduler: pos }, sched, W);
    expect(loaded).toEqual([pos]);
    expect(() => restoreScheduler(good(), sched, W)).toThrowError(
      new Error(`${W}: invalid state dict: scheduler is missing, but a scheduler is attached`),
    );
    expect(() => restoreScheduler({ ...good(), scheduler: pos }, null, W)).not.toThrow();
    expect(() => restoreScheduler(good(), null, W)).not.toThrow();
  });
});
