/** Schedules against their closed forms, computed here independently. */
import { describe, expect, it } from 'vitest';
import {
  LRScheduler,
  chain,
  cosineAnnealing,
  exponentialDecay,
  inverseTimeDecay,
  linearWarmup,
  oneCycle,
  sequential,
  stepDecay,
} from '../../src/schedules/index.ts';

const close = (a: number, b: number) =>
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));

describe('schedules (closed forms)', () => {
  it('stepDecay: base · gamma^floor(t / stepSize)', () => {
    const s = stepDecay({ stepSize: 3, gamma: 0.5 });
    // t = 0..2: 0.1; t = 3..5: 0.05; t = 6: 0.025
    expect([0, 2, 3, 5, 6].map((t) => s(t, 0.1))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(stepDecay({ stepSize: 10 })(25, 1)).toBeCloseTo(0.01, 15); // default gamma 0.1
  });

  it('exponentialDecay: base · gamma^t', () => {
    const s = exponentialDecay({ gamma: 0.9 });
    for (let t = 0; t < 50; t++) close(s(t, 2), 2 * 0.9 ** t);
    close(s(2, 1), 0.81);
  });

  it('inverseTimeDecay: base / (1 + rate · t / steps), floored with staircase', () => {
    const s = inverseTimeDecay({ decayRate: 0.5, decaySteps: 10 });
    close(s(10, 1), 1 / 1.5); // 1 / (1 + 0.5 · 1)
    close(s(5, 1), 1 / 1.25);
    const st = inverseTimeDecay({ decayRate: 0.5, decaySteps: 10, staircase: true });
    close(st(19, 1), 1 / 1.5); // floor(1.9) = 1
    close(inverseTimeDecay({ decayRate: 1 })(3, 0.4), 0.1); // the seed notes' 1/t decay: 0.4 / 4
  });

  it('cosineAnnealing: etaMin + (base − etaMin)(1 + cos(πt/T))/2', () => {
    const s = cosineAnnealing({ tMax: 100, etaMin: 0.001 });
    close(s(0, 0.1), 0.1);
    close(s(50, 0.1), 0.001 + 0.099 / 2);
    close(s(100, 0.1), 0.001);
    for (let t = 0; t <= 100; t++)
      close(s(t, 0.1), 0.001 + (0.099 * (1 + Math.cos((Math.PI * t) / 100))) / 2);
  });

  it('linearWarmup: factor from startFactor to endFactor over totalIters', () => {
    const s = linearWarmup({ startFactor: 0.1, totalIters: 4 });
    // factors 0.1, 0.325, 0.55, 0.775, 1, 1
    [0.1, 0.325, 0.55, 0.775, 1, 1].forEach((f, t) => close(s(t, 2), 2 * f));
    close(linearWarmup()(0, 3), 1); // PyTorch defaults: startFactor 1/3, totalIters 5
  });

  it('oneCycle: PyTorch OneCycleLR phases', () => {
    const s = oneCycle({ maxLr: 1, totalSteps: 100 });
    // initial = 1/25 = 0.04; min = 0.04 / 1e4 = 4e-6; peak at step 0.3·100 − 1 = 29
    close(s(0, 123), 0.04);
    close(s(29, 123), 1);
    close(s(99, 123), 4e-6);
    // halfway up: pct = 14.5 / 29 = 0.5 → 1 + (0.04 − 1)/2 · (cos(π/2) + 1) = 0.52
    close(s(14.5, 0), 0.52);
    const lin = oneCycle({ maxLr: 1, totalSteps: 100, anneal: 'linear' });
    close(lin(64, 0), 1 + (4e-6 - 1) * ((64 - 29) / 70)); // linear descent from step 29 to 99
    const three = oneCycle({ maxLr: 1, totalSteps: 100, threePhase: true });
    close(three(58, 0), 0.04); // back to the initial lr at 2·30 − 2
    close(three(99, 0), 4e-6);
    expect(() => s(101, 0)).toThrow(/step 101 is past totalSteps = 100/);
  });

  it('sequential: warmup then cosine, the second counted from its milestone', () => {
    const s = sequential(
      [linearWarmup({ startFactor: 0.1, totalIters: 10 }), cosineAnnealing({ tMax: 90 })],
      [10],
    );
    close(s(0, 1), 0.1);
    close(s(5, 1), 0.55);
    close(s(10, 1), 1); // cosine at its step 0
    close(s(55, 1), 0.5); // cosine at 45 of 90
    close(s(100, 1), 0);
  });

  it('chain multiplies factors', () => {
    const s = chain([exponentialDecay({ gamma: 0.5 }), stepDecay({ stepSize: 2, gamma: 0.1 })]);
    close(s(2, 1), 0.25 * 0.1);
  });

  it.each([
    [
      'stepDecay stepSize 0',
      () => stepDecay({ stepSize: 0 }),
      /stepSize must be a positive integer, got 0/,
    ],
    [
      'stepDecay gamma ≤ 0',
      () => stepDecay({ stepSize: 1, gamma: -1 }),
      /gamma must be > 0, got -1/,
    ],
    [
      'cosine tMax 1.5',
      () => cosineAnnealing({ tMax: 1.5 }),
      /tMax must be a positive integer, got 1.5/,
    ],
    [
      'warmup startFactor 0',
      () => linearWarmup({ startFactor: 0 }),
      /startFactor must be in \(0, 1\], got 0/,
    ],
    [
      'oneCycle pctStart 1',
      () => oneCycle({ maxLr: 1, totalSteps: 10, pctStart: 1 }),
      /pctStart must be in \(0, 1\), got 1/,
    ],
    [
      'sequential milestones',
      () => sequential([stepDecay({ stepSize: 1 }), stepDecay({ stepSize: 1 })], []),
      /expected 1 milestones for 2 schedules, got 0/,
    ],
    [
      'sequential order',
      () =>
        sequential(
          [
            exponentialDecay({ gamma: 1 }),
            exponentialDecay({ gamma: 1 }),
            exponentialDecay({ gamma: 1 }),
          ],
          [5, 3],
        ),
      /increasing/,
    ],
  ])('rejects %s', (_, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('LRScheduler', () => {
  it('drives every param group from its own base lr, like PyTorch', () => {
    const opt = { paramGroups: [{ lr: 0.1 }, { lr: 0.01 }] };
    const sched = new LRScheduler(opt, stepDecay({ stepSize: 2, gamma: 0.5 }));
    expect(sched.getLastLr()).toEqual([0.1, 0.01]);
    sched.step();
    sched.step();
    expect(sched.lastEpoch).toBe(2);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.05, 0.005]);
    expect(sched.getLastLr()).toEqual([0.05, 0.005]);
  });

  it('saves and restores its position', () => {
    const a = { paramGroups: [{ lr: 1 }] };
    const sa = new LRScheduler(a, exponentialDecay({ gamma: 0.5 }));
    for (let i = 0; i < 3; i++) sa.step();
    const b = { paramGroups: [{ lr: 1 }] };
    const sb = new LRScheduler(b, exponentialDecay({ gamma: 0.5 }));
    sb.loadStateDict(
      JSON.parse(JSON.stringify(sa.stateDict())) as ReturnType<LRScheduler['stateDict']>,
    );
    expect(b.paramGroups[0]?.lr).toBe(0.125);
    sa.step();
    sb.step();
    expect(sb.getLastLr()).toEqual(sa.getLastLr());
    expect(() => sb.loadStateDict({ lastEpoch: -1, baseLrs: [1] })).toThrow(
      /lastEpoch must be a non-negative integer, got -1/,
    );
    expect(() => sb.loadStateDict({ lastEpoch: 1, baseLrs: [1, 2] })).toThrow(
      /baseLrs must hold 1 non-negative numbers/,
    );
  });
});
