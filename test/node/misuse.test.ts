/**
 * Misuse of the pure TypeScript layers (options, reference, schedules) that the mutation run
 * found unchecked: each rejection with its whole message and its boundary value accepted.
 */
import { describe, expect, it } from 'vitest';
import { checkClip } from '../../src/options/clip.ts';
import { adagradScalars, sgdScalars } from '../../src/options/scalars.ts';
import { resolveOptions } from '../../src/options/validate.ts';
import { DEFAULTS } from '../../src/options/defaults.ts';
import { AdagradReference, GradScalerReference, SGDReference } from '../../src/reference/index.ts';
import {
  LRScheduler,
  chain,
  oneCycle,
  exponentialDecay,
  linearWarmup,
  sequential,
} from '../../src/schedules/index.ts';
import { readOptions, showValue } from '../../src/schedules/validate.ts';
import { torchLerp } from '../../src/reference/f32.ts';

describe('options', () => {
  it('per-step scalars need an integer step >= 1', () => {
    expect(sgdScalars(DEFAULTS.sgd, 1).first_step).toBe(1);
    for (const s of [0, -1, 1.5, NaN])
      expect(() => sgdScalars(DEFAULTS.sgd, s)).toThrowError(
        new RangeError(`step must be an integer >= 1, got ${s}`),
      );
    expect(() => adagradScalars(DEFAULTS.adagrad, 0)).toThrow(RangeError);
  });

  it('names an unknown option and lists the known ones', () => {
    expect(() => resolveOptions('rmsprop', { beta: 1 } as never, 'RMSprop')).toThrowError(
      new TypeError(
        'RMSprop: unknown option "beta" for rmsprop; known options are lr, alpha, eps, weightDecay, momentum, centered, maximize, epsInsideSqrt',
      ),
    );
  });

  it("Adagrad's lrDecay and initialAccumulatorValue must be >= 0", () => {
    expect(resolveOptions('adagrad', { lrDecay: 0, initialAccumulatorValue: 0 }, 'A').lrDecay).toBe(
      0,
    );
    expect(() => resolveOptions('adagrad', { lrDecay: -0.1 }, 'A')).toThrowError(
      new RangeError('A: Invalid lrDecay value: -0.1'),
    );
    expect(() => resolveOptions('adagrad', { initialAccumulatorValue: -1 }, 'A')).toThrowError(
      new RangeError('A: Invalid initialAccumulatorValue value: -1'),
    );
  });

  it('clipGradNorm and clipGradValue: finite numbers > 0', () => {
    expect(checkClip({}, 'SGD')).toEqual({ maxNorm: null, value: null });
    expect(checkClip({ clipGradNorm: 1e-30, clipGradValue: 2 }, 'SGD')).toEqual({
      maxNorm: 1e-30,
      value: 2,
    });
    for (const v of [0, -1, NaN, Infinity, '1'])
      expect(() => checkClip({ clipGradNorm: v as number }, 'SGD')).toThrowError(
        new RangeError(`SGD: clipGradNorm must be a finite number > 0, got ${String(v)}`),
      );
    expect(() => checkClip({ clipGradValue: 0 }, 'SGD')).toThrowError(
      new RangeError('SGD: clipGradValue must be a finite number > 0, got 0'),
    );
  });
});

describe('reference optimizer', () => {
  it('rejects a params entry that is not a Float32Array, and a foreign gradScaler', () => {
    expect(() => new SGDReference([[1, 2]] as never, { lr: 0.1 })).toThrowError(
      new TypeError('sgd reference: paramGroups[0].params[0] must be a Float32Array'),
    );
    expect(
      () => new SGDReference([new Float32Array(1)], { lr: 0.1, gradScaler: {} as never }),
    ).toThrowError(new TypeError('sgd reference: gradScaler must be a GradScalerReference'));
  });

  it('GradScalerReference names itself in option errors and starts with lastFoundInf false', () => {
    expect(() => new GradScalerReference({ growthFactor: 1 })).toThrowError(
      new RangeError('GradScalerReference: growthFactor must be > 1 as an f32, got 1'),
    );
    const s = new GradScalerReference();
    expect(s.lastFoundInf).toBe(false);
    const p = [new Float32Array([1])];
    const opt = new AdagradReference(p, { gradScaler: s });
    opt.step([new Float32Array([Infinity])]);
    expect(s.lastFoundInf).toBe(true);
    opt.loadStateDict(opt.stateDict());
    expect(s.lastFoundInf).toBe(false);
    opt.step([new Float32Array([1])]);
    expect(s.lastFoundInf).toBe(false);
  });
});

describe('schedules', () => {
  it('sequential milestones: positive, strictly increasing integers', () => {
    const two = [exponentialDecay({ gamma: 0.5 }), exponentialDecay({ gamma: 0.5 })];
    expect(sequential(two, [1])(1, 1)).toBe(1);
    expect(() => sequential(two, [0])).toThrowError(
      new RangeError('sequential: milestones[0] must be a positive integer, got 0'),
    );
    expect(() => sequential(two, [1.5])).toThrowError(
      new RangeError('sequential: milestones[0] must be a positive integer, got 1.5'),
    );
    expect(() => sequential(two, ['2'] as never)).toThrowError(
      new TypeError('sequential: milestones[0] must be a positive integer, got "2"'),
    );
    const three = [...two, exponentialDecay({ gamma: 0.5 })];
    expect(() => sequential(three, [3, 3])).toThrowError(
      new RangeError(
        'sequential: milestones must be strictly increasing, but milestones[1] = 3 follows milestones[0] = 3',
      ),
    );
    expect(() => sequential(three, [2, 3])).not.toThrow();
  });

  it('linearWarmup accepts endFactor 0 and 1, nothing outside', () => {
    expect(linearWarmup({ startFactor: 1, endFactor: 0, totalIters: 2 })(2, 1)).toBe(0);
    expect(() => linearWarmup({ endFactor: 1 })).not.toThrow();
    expect(() => linearWarmup({ endFactor: -0.1 })).toThrow(/endFactor/);
  });

  it('LRScheduler rejects a bad optimizer or lr, naming the group', () => {
    const s = exponentialDecay({ gamma: 0.5 });
    expect(() => new LRScheduler(null as never, s)).toThrowError(
      new TypeError('LRScheduler: optimizer must be an object, got null'),
    );
    expect(() => new LRScheduler({ paramGroups: [{ lr: 0 }] }, s)).not.toThrow();
    expect(() => new LRScheduler({ paramGroups: [{ lr: 0.1 }, { lr: -1 }] }, s)).toThrowError(
      new RangeError(
        'LRScheduler: optimizer.paramGroups[1].lr must be a finite number >= 0, got -1',
      ),
    );
    expect(() => new LRScheduler({ paramGroups: [{ lr: Infinity }] }, s)).toThrowError(
      new RangeError(
        'LRScheduler: optimizer.paramGroups[0].lr must be a finite number >= 0, got Infinity',
      ),
    );
    expect(() => new LRScheduler({ paramGroups: [null] } as never, s)).toThrowError(
      new TypeError(
        'LRScheduler: optimizer.paramGroups[0].lr must be a finite number >= 0, got undefined',
      ),
    );
  });

  it('LRScheduler.loadStateDict rejects a bad state, and accepts lastEpoch 0', () => {
    const sched = new LRScheduler({ paramGroups: [{ lr: 0.1 }] }, exponentialDecay({ gamma: 0.5 }));
    const L = 'LRScheduler.loadStateDict';
    for (const st of [null, [], 3])
      expect(() => sched.loadStateDict(st as never)).toThrowError(
        new TypeError(`${L}: state must be an object, got ${showValue(st)}`),
      );
    expect(() => sched.loadStateDict({ lastEpoch: -1, baseLrs: [0.1] })).toThrowError(
      new RangeError(`${L}: lastEpoch must be a non-negative integer, got -1`),
    );
    expect(() => sched.loadStateDict({ lastEpoch: 0, baseLrs: [0.1] })).not.toThrow();
  });

  it('readOptions and showValue', () => {
    expect(readOptions('w', undefined, [])).toEqual({});
    for (const v of [null, [1], 3])
      expect(() => readOptions('w', v, [])).toThrowError(
        new TypeError(`w: options must be an object, got ${showValue(v)}`),
      );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(showValue(cyclic)).toBe('[object Object]');
    expect(showValue([1, 'a'])).toBe('[1,"a"]');
    expect(showValue('a')).toBe('"a"');
    expect(showValue(() => 1)).toBe('a function');
    expect(showValue(null)).toBe('null');
  });
});

describe('schedule boundaries', () => {
  it("chain's errors name it", () => {
    const c = chain([exponentialDecay({ gamma: 0.5 })]);
    expect(c(1, 1)).toBe(0.5);
    expect(() => c(-1, 1)).toThrow(/^chain: step /);
  });
  it('oneCycle threePhase rejects 2·pctStart·totalSteps − 2 = totalSteps − 1 exactly', () => {
    // totalSteps 4, pctStart 0.625: 2·0.625·4 − 2 = 3 = totalSteps − 1 (all exact in binary)
    expect(() => oneCycle({ maxLr: 1, totalSteps: 4, pctStart: 0.625, threePhase: true })).toThrow(
      /= 3 must be less than totalSteps − 1 = 3/,
    );
    // and 2·0.5·4 − 2 = 2 < 3 is accepted
    expect(() =>
      oneCycle({ maxLr: 1, totalSteps: 4, pctStart: 0.5, threePhase: true }),
    ).not.toThrow();
  });
});

describe('small contracts the mutation run found unchecked', () => {
  it('torchLerp with weight 1 returns end exactly (the |weight| >= 0.5 branch of ATen Lerp.h)', () => {
    // start + 1·(end − start) would give f32(1e8 + f32(1 − 1e8)) = 0
    expect(torchLerp(1e8, 1, 1)).toBe(1);
    expect(torchLerp(1, 1e8, 0)).toBe(1);
  });
  it('the reference reports no clip norm when it does not clip', () => {
    const opt = new SGDReference([new Float32Array([1])], { lr: 0.1 });
    opt.step([new Float32Array([3])]);
    expect(opt.lastGradNorm).toBe(null);
  });
  it('LRScheduler names a primitive optimizer', () => {
    expect(() => new LRScheduler(3 as never, exponentialDecay({ gamma: 0.5 }))).toThrowError(
      new TypeError('LRScheduler: optimizer must be an object, got 3'),
    );
  });
});
