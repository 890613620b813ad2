/**
 * Learning-rate schedules, checked three ways:
 * - hand-derived points, with the arithmetic in comments, and values from PyTorch's docstrings;
 * - loops over many steps against references written here independently: PyTorch's
 *   *chainable* forms (each lr from the previous one, what `scheduler.step()` computes), a
 *   line-by-line port of OneCycleLR.get_lr, and a simulation of SequentialLR's counters;
 * - every validation error, by class and message.
 * docs/schedules.md's examples run in docs.test.ts.
 * All in f64, so tolerances are a few ulps relative (the chainable forms drift a little more).
 */
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
  type OneCycleOptions,
  type Schedule,
  type SchedulerState,
} from '../../src/schedules/index.ts';

/** |actual − expected| ≤ rtol · |expected| + atol, with both values in the message. */
function expectClose(actual: number, expected: number, what = '', rtol = 1e-12, atol = 1e-18) {
  expect(
    Math.abs(actual - expected),
    `${what} actual ${actual}, expected ${expected}`,
  ).toBeLessThanOrEqual(rtol * Math.abs(expected) + atol);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * PyTorch's chainable form: lr₀ = first(base); lrₜ = next(lrₜ₋₁, t). This is what PyTorch
 * computes on `scheduler.step()`, so agreeing with it shows the closed forms are PyTorch's.
 */
function chainable(
  steps: number,
  base: number,
  first: (base: number) => number,
  next: (lr: number, t: number) => number,
): number[] {
  const out = [first(base)];
  for (let t = 1; t < steps; t++) out.push(next(out[t - 1] as number, t));
  return out;
}

describe('stepDecay (StepLR)', () => {
  it('matches the StepLR docstring: lr 0.05, step_size 30, gamma 0.1', () => {
    const s = stepDecay({ stepSize: 30, gamma: 0.1 });
    for (const t of [0, 29]) expectClose(s(t, 0.05), 0.05);
    for (const t of [30, 59]) expectClose(s(t, 0.05), 0.005); // 0.05 · 0.1
    for (const t of [60, 89]) expectClose(s(t, 0.05), 0.0005); // 0.05 · 0.1²
  });

  it('hand-derived: stepSize 3, gamma 0.5, base 0.1; default gamma is 0.1', () => {
    const s = stepDecay({ stepSize: 3, gamma: 0.5 });
    // ⌊t/3⌋ = 0,0,0,1,1,1,2 → 0.1 · 0.5^⌊t/3⌋; powers of two are exact
    expect(range(7).map((t) => s(t, 0.1))).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]);
    expectClose(stepDecay({ stepSize: 10 })(25, 1), 0.01); // 1 · 0.1^⌊25/10⌋ = 0.1²
  });

  it('equals the chainable StepLR over 300 steps', () => {
    const [stepSize, gamma, base] = [7, 0.8, 0.3];
    const s = stepDecay({ stepSize, gamma });
    // StepLR.get_lr: lr · gamma when t % step_size == 0 (t > 0), else lr unchanged
    const ref = chainable(
      300,
      base,
      (b) => b,
      (lr, t) => (t % stepSize === 0 ? lr * gamma : lr),
    );
    ref.forEach((lr, t) => expectClose(s(t, base), lr, `t=${t}`));
  });
});

describe('exponentialDecay (ExponentialLR)', () => {
  it('hand-derived: gamma 0.9, base 2', () => {
    const s = exponentialDecay({ gamma: 0.9 });
    expectClose(s(0, 2), 2);
    expectClose(s(1, 2), 1.8); // 2 · 0.9
    expectClose(s(2, 2), 1.62); // 2 · 0.81
    expectClose(s(3, 2), 1.458); // 2 · 0.729
  });

  it('equals the chainable ExponentialLR over 500 steps', () => {
    const s = exponentialDecay({ gamma: 0.99 });
    const ref = chainable(
      500,
      0.1,
      (b) => b,
      (lr) => lr * 0.99,
    );
    ref.forEach((lr, t) => expectClose(s(t, 0.1), lr, `t=${t}`, 1e-12));
  });
});

describe('inverseTimeDecay (1/t, Keras InverseTimeDecay)', () => {
  it('hand-derived points, with and without staircase', () => {
    const s = inverseTimeDecay({ decayRate: 0.5, decaySteps: 10 });
    expectClose(s(0, 1), 1);
    expectClose(s(5, 1), 0.8); // 1 / (1 + 0.5 · 5/10) = 1 / 1.25
    expectClose(s(10, 1), 1 / 1.5); // 1 / (1 + 0.5 · 1)
    expectClose(s(30, 0.5), 0.2); // 0.5 / (1 + 0.5 · 3) = 0.5 / 2.5
    const st = inverseTimeDecay({ decayRate: 0.5, decaySteps: 10, staircase: true });
    expectClose(st(9, 1), 1); // ⌊0.9⌋ = 0
    expectClose(st(19, 1), 1 / 1.5); // ⌊1.9⌋ = 1
    expectClose(st(20, 1), 0.5); // ⌊2⌋ = 2 → 1 / (1 + 1)
  });

  it('gives the textbook lr₀ / (1 + k·t) with the default decaySteps 1', () => {
    const s = inverseTimeDecay({ decayRate: 1 });
    expectClose(s(3, 0.4), 0.1); // 0.4 / (1 + 3)
    expectClose(inverseTimeDecay({ decayRate: 0 })(1000, 0.4), 0.4); // k = 0: constant
  });

  it('equals base · decaySteps / (decaySteps + rate · t) over 400 steps', () => {
    const s = inverseTimeDecay({ decayRate: 0.3, decaySteps: 25 });
    const st = inverseTimeDecay({ decayRate: 0.3, decaySteps: 25, staircase: true });
    for (let t = 0; t < 400; t++) {
      expectClose(s(t, 0.2), (0.2 * 25) / (25 + 0.3 * t), `t=${t}`);
      expectClose(st(t, 0.2), 0.2 / (1 + 0.3 * Math.trunc(t / 25)), `staircase t=${t}`);
    }
  });
});

describe('cosineAnnealing (CosineAnnealingLR)', () => {
  it('hand-derived: tMax 100, etaMin 0.001, base 0.1', () => {
    const s = cosineAnnealing({ tMax: 100, etaMin: 0.001 });
    expectClose(s(0, 0.1), 0.1); // cos 0 = 1 → etaMin + (base − etaMin) = base
    expectClose(s(50, 0.1), 0.0505); // cos(π/2) = 0 → 0.001 + 0.099 / 2
    expectClose(s(100, 0.1), 0.001); // cos π = −1 → etaMin
    expectClose(s(150, 0.1), 0.0505); // past tMax the closed form rises again
    expectClose(s(200, 0.1), 0.1);
    expectClose(cosineAnnealing({ tMax: 4 })(1, 2), 1 + Math.SQRT1_2); // 2 · (1 + cos(π/4)) / 2
  });

  it('equals the chainable CosineAnnealingLR over two periods', () => {
    const [tMax, eta, base] = [40, 0.002, 0.05];
    const s = cosineAnnealing({ tMax, etaMin: eta });
    // CosineAnnealingLR.get_lr, including its branch at the bottom of each period
    const ref = chainable(
      2 * tMax + 1,
      base,
      (b) => b,
      (lr, t) =>
        (t - 1 - tMax) % (2 * tMax) === 0
          ? lr + ((base - eta) * (1 - Math.cos(Math.PI / tMax))) / 2
          : ((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) *
              (lr - eta) +
            eta,
    );
    // The recursion drifts by a few ulps per step; relative to the base lr, 1e-12 holds.
    ref.forEach((lr, t) => expectClose(s(t, base), lr, `t=${t}`, 0, 1e-12 * base));
  });
});

describe('linearWarmup (LinearLR)', () => {
  it('matches the LinearLR docstring: lr 0.05, start_factor 0.5, total_iters 4', () => {
    const s = linearWarmup({ startFactor: 0.5, totalIters: 4 });
    // factor 0.5 + 0.5 · min(t, 4) / 4 = 0.5, 0.625, 0.75, 0.875, 1, 1
    [0.025, 0.03125, 0.0375, 0.04375, 0.05, 0.05].forEach((lr, t) => expectClose(s(t, 0.05), lr));
  });

  it("uses PyTorch's defaults: startFactor 1/3, endFactor 1, totalIters 5", () => {
    const s = linearWarmup();
    expectClose(s(0, 3), 1); // 3 · 1/3
    expectClose(s(5, 3), 3);
    expectClose(s(50, 3), 3);
  });

  it('decays when endFactor < startFactor, and holds endFactor after totalIters', () => {
    const s = linearWarmup({ startFactor: 1, endFactor: 0.5, totalIters: 10 });
    expectClose(s(4, 2), 1.6); // 2 · (1 − 0.5 · 4/10)
    expectClose(s(10, 2), 1);
    expectClose(s(11, 2), 1);
  });

  it('equals the chainable LinearLR over 120 steps', () => {
    const [start, end, total, base] = [0.1, 0.9, 90, 0.01];
    const s = linearWarmup({ startFactor: start, endFactor: end, totalIters: total });
    // LinearLR.get_lr: lr · (1 + (end − start) / (total · start + (t − 1)(end − start)))
    const ref = chainable(
      120,
      base,
      (b) => b * start,
      (lr, t) =>
        t > total ? lr : lr * (1 + (end - start) / (total * start + (t - 1) * (end - start))),
    );
    ref.forEach((lr, t) => expectClose(s(t, base), lr, `t=${t}`, 1e-13 * 120));
  });
});

/**
 * OneCycleLR: __init__'s phase table and get_lr, ported line by line from
 * torch/optim/lr_scheduler.py (same names, same order of operations).
 */
function torchOneCycle(o: Required<Omit<OneCycleOptions, 'maxLr'>> & { maxLr: number }) {
  const group: Record<string, number> = {};
  group.initial_lr = o.maxLr / o.divFactor;
  group.max_lr = o.maxLr;
  group.min_lr = (group.initial_lr as number) / o.finalDivFactor;
  const phases = o.threePhase
    ? [
        { end_step: o.pctStart * o.totalSteps - 1, start_lr: 'initial_lr', end_lr: 'max_lr' },
        { end_step: 2 * o.pctStart * o.totalSteps - 2, start_lr: 'max_lr', end_lr: 'initial_lr' },
        { end_step: o.totalSteps - 1, start_lr: 'initial_lr', end_lr: 'min_lr' },
      ]
    : [
        { end_step: o.pctStart * o.totalSteps - 1, start_lr: 'initial_lr', end_lr: 'max_lr' },
        { end_step: o.totalSteps - 1, start_lr: 'max_lr', end_lr: 'min_lr' },
      ];
  const annealingCos = (start: number, end: number, pct: number) => {
    const cosOut = Math.cos(Math.PI * pct) + 1;
    return end + ((start - end) / 2.0) * cosOut;
  };
  const annealingLinear = (start: number, end: number, pct: number) => (end - start) * pct + start;
  return (stepNum: number): number => {
    let startStep = 0.0;
    for (const [i, phase] of phases.entries()) {
      const endStep = phase.end_step;
      if (stepNum <= endStep || i === phases.length - 1) {
        const pct = (stepNum - startStep) / (endStep - startStep);
        const f = o.anneal === 'cos' ? annealingCos : annealingLinear;
        return f(group[phase.start_lr] as number, group[phase.end_lr] as number, pct);
      }
      startStep = phase.end_step;
    }
    throw new Error('no phase');
  };
}

const ONE_CYCLE_DEFAULTS = {
  pctStart: 0.3,
  anneal: 'cos',
  divFactor: 25,
  finalDivFactor: 1e4,
  threePhase: false,
} as const;

describe('oneCycle (OneCycleLR)', () => {
  it('hand-derived: maxLr 0.1, totalSteps 10, defaults', () => {
    const s = oneCycle({ maxLr: 0.1, totalSteps: 10 });
    // initial = 0.1 / 25 = 0.004; min = 0.004 / 1e4 = 4e-7; warm-up ends at 0.3 · 10 − 1 = 2
    expectClose(s(0, 0.5), 0.004); // the base lr (0.5) is ignored when maxLr is given
    // step 1: pct = 1/2 → 0.1 + (0.004 − 0.1)/2 · (cos(π/2) + 1) = 0.1 − 0.048
    expectClose(s(1, 0.5), 0.052);
    expectClose(s(2, 0.5), 0.1); // the peak
    // step 5.5: pct = (5.5 − 2) / (9 − 2) = 1/2 → 4e-7 + (0.1 − 4e-7)/2 = 0.0500002
    expectClose(s(5.5, 0.5), 0.0500002);
    expectClose(s(9, 0.5), 4e-7); // the last step: initial / finalDivFactor
    // step 10 = totalSteps is allowed, as in PyTorch: pct = 8/7, just past the minimum
    expectClose(s(10, 0.5), 4e-7 + ((0.1 - 4e-7) / 2) * (Math.cos((Math.PI * 8) / 7) + 1));
  });

  it('puts step 0 at maxLr/divFactor, the peak at maxLr and the end at the minimum', () => {
    for (const total of [100, 1000, 37 * 10]) {
      const s = oneCycle({ maxLr: 3, totalSteps: total, divFactor: 10, finalDivFactor: 100 });
      expectClose(s(0, 0), 0.3); // 3 / 10
      expectClose(s(0.3 * total - 1, 0), 3);
      expectClose(s(total - 1, 0), 0.003); // 3 / 10 / 100
    }
  });

  it('linear annealing, hand-derived', () => {
    const s = oneCycle({ maxLr: 1, totalSteps: 100, anneal: 'linear' });
    // up: 0.04 → 1 over steps 0…29; step 10: (1 − 0.04) · 10/29 + 0.04
    expectClose(s(10, 0), (0.96 * 10) / 29 + 0.04);
    // down: 1 → 4e-6 over steps 29…99; step 64 is halfway: (4e-6 − 1) · 0.5 + 1
    expectClose(s(64, 0), 0.500002);
  });

  it('three phases: up to maxLr, back to the initial lr at 2·pct·total − 2, then down', () => {
    const s = oneCycle({ maxLr: 1, totalSteps: 100, threePhase: true });
    expectClose(s(0, 0), 0.04);
    expectClose(s(29, 0), 1);
    expectClose(s(58, 0), 0.04); // 2 · 0.3 · 100 − 2 = 58
    expectClose(s(99, 0), 4e-6);
  });

  it("uses each group's base lr as its peak when maxLr is omitted", () => {
    const s = oneCycle({ totalSteps: 100 });
    expectClose(s(0, 0.5), 0.02); // 0.5 / 25
    expectClose(s(29, 0.5), 0.5);
    expectClose(s(99, 0.5), 2e-6); // 0.02 / 1e4
    const fixed = oneCycle({ maxLr: 0.5, totalSteps: 100 });
    for (let t = 0; t <= 100; t++) expect(s(t, 0.5)).toBe(fixed(t, 0.5));
  });

  it('equals the port of OneCycleLR.get_lr at every step, for a table of settings', () => {
    const table: { desc: string; o: Partial<OneCycleOptions> & { totalSteps: number } }[] = [
      { desc: 'defaults, 100 steps', o: { totalSteps: 100 } },
      { desc: 'fractional phase end (0.3 · 7 − 1 = 1.1)', o: { totalSteps: 7 } },
      { desc: 'linear', o: { totalSteps: 250, anneal: 'linear' } },
      { desc: 'pctStart 0.1, divFactor 10', o: { totalSteps: 333, pctStart: 0.1, divFactor: 10 } },
      { desc: 'three phases', o: { totalSteps: 200, threePhase: true } },
      { desc: 'three phases, linear', o: { totalSteps: 61, threePhase: true, anneal: 'linear' } },
      {
        desc: 'pctStart 0.5, three phases',
        o: { totalSteps: 64, pctStart: 0.5, threePhase: true },
      },
      { desc: 'warm-up ends before step 0 (0.3 · 2 − 1 < 0)', o: { totalSteps: 2 } },
      { desc: 'one step', o: { totalSteps: 1 } },
      { desc: 'warm-up before step 0, three phases', o: { totalSteps: 3, threePhase: true } },
    ];
    for (const { desc, o } of table) {
      const options = { ...ONE_CYCLE_DEFAULTS, maxLr: 0.4, ...o };
      const s = oneCycle(options);
      const ref = torchOneCycle(options);
      for (let t = 0; t <= o.totalSteps; t++) expect(s(t, 7), `${desc}, t=${t}`).toBe(ref(t));
    }
  });
});

/**
 * SequentialLR's counters, simulated: each child scheduler keeps its own last_epoch. At
 * construction only the first starts (at 0); each step() runs the child that
 * bisect_right(milestones, last_epoch) picks, restarting it at 0 on its milestone.
 */
function torchSequential(children: Schedule[], milestones: number[], base: number, n: number) {
  const lastEpochs = children.map(() => -1);
  lastEpochs[0] = 0;
  const out = [(children[0] as Schedule)(0, base)];
  for (let lastEpoch = 1; lastEpoch < n; lastEpoch++) {
    const idx = milestones.filter((m) => m <= lastEpoch).length; // bisect_right
    if (idx > 0 && milestones[idx - 1] === lastEpoch) lastEpochs[idx] = 0;
    else lastEpochs[idx] = (lastEpochs[idx] as number) + 1;
    out.push((children[idx] as Schedule)(lastEpochs[idx] as number, base));
  }
  return out;
}

describe('sequential (SequentialLR)', () => {
  it('warmup then cosine, hand-derived; the cosine counts from its milestone', () => {
    const s = sequential(
      [linearWarmup({ startFactor: 0.1, totalIters: 10 }), cosineAnnealing({ tMax: 90 })],
      [10],
    );
    expectClose(s(0, 1), 0.1);
    expectClose(s(5, 1), 0.55); // 0.1 + 0.9 · 5/10
    expectClose(s(9, 1), 0.91);
    expectClose(s(10, 1), 1); // the cosine at its step 0
    expectClose(s(55, 1), 0.5); // the cosine at 45 of 90: (1 + cos(π/2)) / 2
    expectClose(s(100, 1), 0); // the cosine at 90 of 90
  });

  it("equals SequentialLR's counters over 3 schedules and 2 milestones", () => {
    const children = [
      linearWarmup({ startFactor: 0.25, totalIters: 8 }),
      stepDecay({ stepSize: 5, gamma: 0.5 }),
      cosineAnnealing({ tMax: 30, etaMin: 0.001 }),
    ];
    const s = sequential(children, [8, 20]);
    const ref = torchSequential(children, [8, 20], 0.1, 60);
    ref.forEach((lr, t) => expect(s(t, 0.1), `t=${t}`).toBe(lr));
  });

  it('with one schedule and no milestones is that schedule', () => {
    const e = exponentialDecay({ gamma: 0.9 });
    const s = sequential([e], []);
    for (let t = 0; t < 20; t++) expect(s(t, 0.3)).toBe(e(t, 0.3));
  });

  it('copies its arguments, so later edits to the arrays change nothing', () => {
    const list: Schedule[] = [linearWarmup({ totalIters: 2 }), exponentialDecay({ gamma: 0.5 })];
    const marks = [2];
    const s = sequential(list, marks);
    list[1] = () => 123;
    marks[0] = 100;
    expectClose(s(3, 1), 0.5); // still the exponential, at its step 1
  });
});

describe('chain (ChainedScheduler)', () => {
  it('multiplies the factors of the base lr', () => {
    const s = chain([exponentialDecay({ gamma: 0.5 }), stepDecay({ stepSize: 2, gamma: 0.1 })]);
    expectClose(s(2, 1), 0.025); // 0.5² · 0.1^⌊2/2⌋
    expectClose(s(3, 4), 0.05); // 4 · 0.5³ · 0.1
  });

  it('equals base · Π factors over 100 steps, and gives 0 for a base lr of 0', () => {
    const w = linearWarmup({ startFactor: 0.2, totalIters: 10 });
    const e = exponentialDecay({ gamma: 0.97 });
    const c = cosineAnnealing({ tMax: 50, etaMin: 0.01 });
    const s = chain([w, e, c]);
    for (let t = 0; t < 100; t++) {
      const factor = (w(t, 0.1) / 0.1) * (e(t, 0.1) / 0.1) * (c(t, 0.1) / 0.1);
      expectClose(s(t, 0.1), 0.1 * factor, `t=${t}`);
    }
    expect(s(5, 0)).toBe(0);
  });
});

describe('a schedule called on its own', () => {
  it('rejects a step or a base lr that is negative, not finite or not a number', () => {
    const s = stepDecay({ stepSize: 2 });
    expect(() => s(-1, 0.1)).toThrow(RangeError);
    expect(() => s(-1, 0.1)).toThrow('stepDecay: step must be a finite number >= 0, got -1');
    expect(() => s(Number.NaN, 0.1)).toThrow('step must be a finite number >= 0, got NaN');
    expect(() => s('3' as unknown as number, 0.1)).toThrow(TypeError);
    expect(() => s(1, -0.1)).toThrow('stepDecay: baseLr must be a finite number >= 0, got -0.1');
    expect(() => s(1, Infinity)).toThrow('baseLr must be a finite number >= 0, got Infinity');
    expect(() => oneCycle({ maxLr: 1, totalSteps: 10 })(11, 0)).toThrow(
      'oneCycle: step must be at most totalSteps = 10, got 11',
    );
    expect(() => sequential([s, s], [3])(-2, 1)).toThrow('sequential: step must be');
  });
});

/** What `make` throws (undefined if it returns). */
function caught(make: () => unknown): unknown {
  try {
    make();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** [message, error class, call]: the call must throw that class with that exact message. */
type Thrower = [string, ErrorConstructor, () => unknown];
const bad = <T>(v: unknown) => v as T;

describe('argument validation', () => {
  const e = exponentialDecay({ gamma: 0.5 });
  const cases: Thrower[] = [
    // options objects
    [
      'stepDecay: stepSize must be a positive integer, got undefined',
      TypeError,
      () => stepDecay(bad(undefined)),
    ],
    ['stepDecay: options must be an object, got null', TypeError, () => stepDecay(bad(null))],
    [
      'stepDecay: unknown option "step_size"; known options are stepSize, gamma',
      TypeError,
      () => stepDecay(bad({ step_size: 3 })),
    ],
    [
      'stepDecay: stepSize must be a positive integer, got 0',
      RangeError,
      () => stepDecay({ stepSize: 0 }),
    ],
    [
      'stepDecay: stepSize must be a positive integer, got 1.5',
      RangeError,
      () => stepDecay({ stepSize: 1.5 }),
    ],
    [
      'stepDecay: stepSize must be a positive integer, got "3"',
      TypeError,
      () => stepDecay({ stepSize: bad('3') }),
    ],
    [
      'stepDecay: gamma must be a finite number > 0, got 0',
      RangeError,
      () => stepDecay({ stepSize: 1, gamma: 0 }),
    ],
    [
      'stepDecay: gamma must be a finite number > 0, got -1',
      RangeError,
      () => stepDecay({ stepSize: 1, gamma: -1 }),
    ],
    [
      'stepDecay: gamma must be a finite number > 0, got NaN',
      RangeError,
      () => stepDecay({ stepSize: 1, gamma: NaN }),
    ],
    [
      'stepDecay: gamma must be a finite number > 0, got Infinity',
      RangeError,
      () => stepDecay({ stepSize: 1, gamma: Infinity }),
    ],
    [
      'exponentialDecay: gamma must be a finite number > 0, got undefined',
      TypeError,
      () => exponentialDecay(bad({})),
    ],
    [
      'exponentialDecay: gamma must be a finite number > 0, got 0',
      RangeError,
      () => exponentialDecay({ gamma: 0 }),
    ],
    [
      'exponentialDecay: options must be an object, got [0.9]',
      TypeError,
      () => exponentialDecay(bad([0.9])),
    ],
    [
      'inverseTimeDecay: decayRate must be a finite number >= 0, got undefined',
      TypeError,
      () => inverseTimeDecay(bad({ decaySteps: 2 })),
    ],
    [
      'inverseTimeDecay: decayRate must be a finite number >= 0, got -1',
      RangeError,
      () => inverseTimeDecay({ decayRate: -1 }),
    ],
    [
      'inverseTimeDecay: decaySteps must be a finite number > 0, got 0',
      RangeError,
      () => inverseTimeDecay({ decayRate: 1, decaySteps: 0 }),
    ],
    [
      'inverseTimeDecay: staircase must be a boolean, got "yes"',
      TypeError,
      () => inverseTimeDecay({ decayRate: 1, staircase: bad('yes') }),
    ],
    [
      'cosineAnnealing: tMax must be a positive integer, got 0',
      RangeError,
      () => cosineAnnealing({ tMax: 0 }),
    ],
    [
      'cosineAnnealing: tMax must be a positive integer, got 1.5',
      RangeError,
      () => cosineAnnealing({ tMax: 1.5 }),
    ],
    [
      'cosineAnnealing: etaMin must be a finite number >= 0, got -0.1',
      RangeError,
      () => cosineAnnealing({ tMax: 5, etaMin: -0.1 }),
    ],
    [
      'cosineAnnealing: unknown option "eta_min"; known options are tMax, etaMin',
      TypeError,
      () => cosineAnnealing(bad({ tMax: 5, eta_min: 0 })),
    ],
    [
      'linearWarmup: startFactor must be a number in (0, 1], got 0',
      RangeError,
      () => linearWarmup({ startFactor: 0 }),
    ],
    [
      'linearWarmup: startFactor must be a number in (0, 1], got 1.5',
      RangeError,
      () => linearWarmup({ startFactor: 1.5 }),
    ],
    [
      'linearWarmup: endFactor must be a number in [0, 1], got -0.1',
      RangeError,
      () => linearWarmup({ endFactor: -0.1 }),
    ],
    [
      'linearWarmup: endFactor must be a number in [0, 1], got 1.1',
      RangeError,
      () => linearWarmup({ endFactor: 1.1 }),
    ],
    [
      'linearWarmup: totalIters must be a positive integer, got 0',
      RangeError,
      () => linearWarmup({ totalIters: 0 }),
    ],
    [
      'linearWarmup: totalIters must be a positive integer, got 2.5',
      RangeError,
      () => linearWarmup({ totalIters: 2.5 }),
    ],
    [
      'oneCycle: maxLr must be a finite number > 0, got 0',
      RangeError,
      () => oneCycle({ maxLr: 0, totalSteps: 10 }),
    ],
    [
      'oneCycle: totalSteps must be a positive integer, got undefined',
      TypeError,
      () => oneCycle(bad({ maxLr: 1 })),
    ],
    [
      'oneCycle: totalSteps must be a positive integer, got 0',
      RangeError,
      () => oneCycle({ maxLr: 1, totalSteps: 0 }),
    ],
    [
      'oneCycle: totalSteps must be a positive integer, got 10.5',
      RangeError,
      () => oneCycle({ maxLr: 1, totalSteps: 10.5 }),
    ],
    [
      'oneCycle: pctStart must be a number in (0, 1), got 0',
      RangeError,
      () => oneCycle({ maxLr: 1, totalSteps: 10, pctStart: 0 }),
    ],
    [
      'oneCycle: pctStart must be a number in (0, 1), got 1',
      RangeError,
      () => oneCycle({ maxLr: 1, totalSteps: 10, pctStart: 1 }),
    ],
    [
      `oneCycle: anneal must be 'cos' or 'linear', got "cosine"`,
      RangeError,
      () => oneCycle({ maxLr: 1, totalSteps: 10, anneal: bad('cosine') }),
    ],
    [
      'oneCycle: divFactor must be a finite number > 0, got 0',
      RangeError,
      () => oneCycle({ maxLr: 1, totalSteps: 10, divFactor: 0 }),
    ],
    [
      'oneCycle: finalDivFactor must be a finite number > 0, got -1',
      RangeError,
      () => oneCycle({ maxLr: 1, totalSteps: 10, finalDivFactor: -1 }),
    ],
    [
      'oneCycle: threePhase must be a boolean, got 1',
      TypeError,
      () => oneCycle({ maxLr: 1, totalSteps: 10, threePhase: bad(1) }),
    ],
    [
      'oneCycle: unknown option "anneal_strategy"; known options are maxLr, totalSteps, pctStart, anneal, divFactor, finalDivFactor, threePhase',
      TypeError,
      () => oneCycle(bad({ maxLr: 1, totalSteps: 10, anneal_strategy: 'cos' })),
    ],
    // 0.1 · 10 − 1 = 0: the warm-up phase would span 0/0 at step 0
    [
      'oneCycle: pctStart · totalSteps must not be 1 (the warm-up phase would have no length; PyTorch divides by zero), got pctStart = 0.1, totalSteps = 10',
      RangeError,
      () => oneCycle({ maxLr: 1, totalSteps: 10, pctStart: 0.1 }),
    ],
    // 2 · 0.6 · 100 − 2 = 118 ≥ 99: the lr would never get below the initial lr
    [
      'oneCycle: with threePhase, 2 · pctStart · totalSteps − 2 = 118 must be less than totalSteps − 1 = 99 (the third phase would never start), got pctStart = 0.6',
      RangeError,
      () => oneCycle({ maxLr: 1, totalSteps: 100, pctStart: 0.6, threePhase: true }),
    ],
    [
      'sequential: schedules must be a non-empty array of schedules, got []',
      TypeError,
      () => sequential([], []),
    ],
    [
      'sequential: schedules must be a non-empty array of schedules, got a function',
      TypeError,
      () => sequential(bad(e), []),
    ],
    [
      'sequential: schedules[1] must be a schedule function, got 3',
      TypeError,
      () => sequential([e, bad(3)], [1]),
    ],
    ['sequential: milestones must be an array, got 5', TypeError, () => sequential([e, e], bad(5))],
    [
      'sequential: milestones must hold one entry fewer than schedules (1 for 2 schedules), got 0: []',
      RangeError,
      () => sequential([e, e], []),
    ],
    [
      'sequential: milestones must hold one entry fewer than schedules (1 for 2 schedules), got 2: [1,2]',
      RangeError,
      () => sequential([e, e], [1, 2]),
    ],
    [
      'sequential: milestones[0] must be a positive integer, got 0',
      RangeError,
      () => sequential([e, e], [0]),
    ],
    [
      'sequential: milestones[0] must be a positive integer, got 2.5',
      RangeError,
      () => sequential([e, e], [2.5]),
    ],
    [
      'sequential: milestones must be strictly increasing, but milestones[1] = 3 follows milestones[0] = 5',
      RangeError,
      () => sequential([e, e, e], [5, 3]),
    ],
    [
      'sequential: milestones must be strictly increasing, but milestones[1] = 5 follows milestones[0] = 5',
      RangeError,
      () => sequential([e, e, e], [5, 5]),
    ],
    ['chain: schedules must be a non-empty array of schedules, got []', TypeError, () => chain([])],
    [
      'chain: schedules[0] must be a schedule function, got "cos"',
      TypeError,
      () => chain([bad('cos')]),
    ],
    // the bound scheduler
    [
      'LRScheduler: optimizer must be an object, got null',
      TypeError,
      () => new LRScheduler(bad(null), e),
    ],
    [
      'LRScheduler: optimizer.paramGroups must be a non-empty array, got undefined',
      TypeError,
      () => new LRScheduler(bad({}), e),
    ],
    [
      'LRScheduler: optimizer.paramGroups must be a non-empty array, got []',
      TypeError,
      () => new LRScheduler({ paramGroups: [] }, e),
    ],
    [
      'LRScheduler: optimizer.paramGroups[1].lr must be a finite number >= 0, got NaN',
      RangeError,
      () => new LRScheduler({ paramGroups: [{ lr: 0.1 }, { lr: NaN }] }, e),
    ],
    [
      'LRScheduler: optimizer.paramGroups[0].lr must be a finite number >= 0, got -1',
      RangeError,
      () => new LRScheduler({ paramGroups: [{ lr: -1 }] }, e),
    ],
    [
      'LRScheduler: optimizer.paramGroups[0].lr must be a finite number >= 0, got "0.1"',
      TypeError,
      () => new LRScheduler({ paramGroups: [{ lr: bad('0.1') }] }, e),
    ],
    [
      'LRScheduler: schedule must be a function, got {"tMax":3}',
      TypeError,
      () => new LRScheduler({ paramGroups: [{ lr: 1 }] }, bad({ tMax: 3 })),
    ],
    [
      "LRScheduler: the schedule's lr for param group 0 at step 0 must be a finite number >= 0, got NaN",
      RangeError,
      () => new LRScheduler({ paramGroups: [{ lr: 1 }] }, () => NaN),
    ],
  ];

  it.each(cases)('throws %s', (message, ErrorClass, make) => {
    const thrown = caught(make);
    expect(thrown).toBeInstanceOf(ErrorClass);
    expect((thrown as Error).message).toBe(message);
  });
});

/** A stand-in for an optimizer: `paramGroups[i].lr`, plus a record of optimizer steps. */
function fakeOptimizer(lrs: number[]) {
  const seen: number[][] = [];
  let attached: unknown = null;
  const opt = {
    paramGroups: lrs.map((lr) => ({ lr, params: [] as number[] })),
    /** What an optimizer step would use: each group's lr at that moment. */
    step() {
      seen.push(opt.paramGroups.map((g) => g.lr));
    },
    attachScheduler(s: LRScheduler) {
      attached = s;
    },
  };
  return { opt, seen, attached: () => attached };
}

describe('LRScheduler', () => {
  it("drives two param groups from their own base lrs, like PyTorch's StepLR", () => {
    const { opt } = fakeOptimizer([0.1, 0.01]);
    const sched = new LRScheduler(opt, stepDecay({ stepSize: 2, gamma: 0.5 }));
    expect(sched.lastEpoch).toBe(0);
    expect(sched.baseLrs).toEqual([0.1, 0.01]);
    expect(sched.getLastLr()).toEqual([0.1, 0.01]);
    sched.step();
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.01]); // ⌊1/2⌋ = 0
    sched.step();
    expect(sched.lastEpoch).toBe(2);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.05, 0.005]); // ⌊2/2⌋ = 1: · 0.5
    expect(sched.getLastLr()).toEqual([0.05, 0.005]);
    expect(opt.paramGroups[0]?.params).toEqual([]); // nothing else in the group is touched
  });

  it('runs the warmup-then-cosine example: each optimizer step sees the lr of its step', () => {
    const { opt, seen } = fakeOptimizer([0.1, 0.02]);
    const sched = new LRScheduler(
      opt,
      sequential(
        [linearWarmup({ startFactor: 0.1, totalIters: 100 }), cosineAnnealing({ tMax: 900 })],
        [100],
      ),
    );
    for (let i = 0; i < 1000; i++) {
      opt.step();
      sched.step();
    }
    expect(sched.lastEpoch).toBe(1000);
    expect(seen).toHaveLength(1000);
    [0.1, 0.02].forEach((base, g) => {
      expectClose(seen[0]?.[g] as number, 0.1 * base); // step 0: startFactor · base
      expectClose(seen[50]?.[g] as number, 0.55 * base); // 0.1 + 0.9 · 50/100
      expectClose(seen[100]?.[g] as number, base); // the cosine starts at the base lr
      expectClose(seen[550]?.[g] as number, 0.5 * base); // cosine at 450 of 900
      for (let t = 100; t < 1000; t++) {
        const cos = (base * (1 + Math.cos((Math.PI * (t - 100)) / 900))) / 2;
        expectClose(seen[t]?.[g] as number, cos, `group ${g}, step ${t}`);
      }
    });
    expect(sched.getLastLr()[0]).toBeCloseTo(0, 15); // step 1000: the cosine's end, 0
  });

  it('overwrites a hand-set lr on the next step (closed forms use the base lr)', () => {
    const { opt } = fakeOptimizer([1]);
    const sched = new LRScheduler(opt, exponentialDecay({ gamma: 0.5 }));
    (opt.paramGroups[0] as { lr: number }).lr = 123;
    sched.step();
    expect(opt.paramGroups[0]?.lr).toBe(0.5);
  });

  it('gives copies from getLastLr(), baseLrs and stateDict()', () => {
    const { opt } = fakeOptimizer([1]);
    const sched = new LRScheduler(opt, exponentialDecay({ gamma: 0.5 }));
    sched.getLastLr()[0] = 9;
    sched.baseLrs[0] = 9;
    sched.stateDict().baseLrs[0] = 9;
    sched.step();
    expect(sched.getLastLr()).toEqual([0.5]);
  });

  it('attaches itself to an optimizer that offers attachScheduler', () => {
    const f = fakeOptimizer([1]);
    const sched = new LRScheduler(f.opt, exponentialDecay({ gamma: 0.5 }));
    expect(f.attached()).toBe(sched);
    expect(
      () => new LRScheduler({ paramGroups: [{ lr: 1 }] }, exponentialDecay({ gamma: 1 })),
    ).not.toThrow();
  });

  it('with oneCycle and no maxLr, peaks at each group’s own base lr', () => {
    const { opt } = fakeOptimizer([0.5, 0.05]);
    const sched = new LRScheduler(opt, oneCycle({ totalSteps: 10 }));
    expectClose(sched.getLastLr()[0] as number, 0.5 / 25);
    expectClose(sched.getLastLr()[1] as number, 0.05 / 25);
    sched.step();
    sched.step(); // the peak at 0.3 · 10 − 1 = 2
    expect(sched.getLastLr()).toEqual([0.5, 0.05]);
  });

  it('changes nothing when a step fails', () => {
    const { opt } = fakeOptimizer([0.1]);
    const sched = new LRScheduler(opt, oneCycle({ maxLr: 1, totalSteps: 2 }));
    sched.step();
    sched.step(); // step 2 = totalSteps is allowed
    const before = opt.paramGroups[0]?.lr;
    expect(() => sched.step()).toThrow('oneCycle: step must be at most totalSteps = 2, got 3');
    expect(sched.lastEpoch).toBe(2);
    expect(opt.paramGroups[0]?.lr).toBe(before);
    expect(sched.getLastLr()).toEqual([before]);
  });

  it('rejects a step once the optimizer has a different number of param groups', () => {
    const { opt } = fakeOptimizer([0.1]);
    const sched = new LRScheduler(opt, exponentialDecay({ gamma: 0.5 }));
    opt.paramGroups.push({ lr: 0.2, params: [] });
    expect(() => sched.step()).toThrow(
      'LRScheduler: the optimizer has 2 param groups, but the scheduler has 1 base lrs',
    );
  });
});

describe('LRScheduler state dict', () => {
  const schedule = () =>
    sequential(
      [linearWarmup({ startFactor: 0.2, totalIters: 5 }), exponentialDecay({ gamma: 0.9 })],
      [5],
    );

  it('round-trips through JSON and continues exactly', () => {
    const a = fakeOptimizer([0.1, 0.03]);
    const sa = new LRScheduler(a.opt, schedule());
    for (let i = 0; i < 7; i++) sa.step();
    const saved = sa.stateDict();
    expect(saved).toEqual({ lastEpoch: 7, baseLrs: [0.1, 0.03] });
    const json = JSON.parse(JSON.stringify(saved)) as SchedulerState;
    expect(json).toEqual(saved); // plain JSON, nothing lost

    const b = fakeOptimizer([5, 5]); // other lrs: the saved base lrs win
    const sb = new LRScheduler(b.opt, schedule());
    sb.loadStateDict(json);
    expect(sb.lastEpoch).toBe(7);
    expect(sb.baseLrs).toEqual([0.1, 0.03]);
    expect(b.opt.paramGroups.map((g) => g.lr)).toEqual(a.opt.paramGroups.map((g) => g.lr));
    for (let i = 0; i < 5; i++) {
      sa.step();
      sb.step();
      expect(sb.getLastLr()).toEqual(sa.getLastLr());
    }
    // 0.1 · 0.9^(12 − 5) at step 12
    expectClose(sb.getLastLr()[0] as number, 0.1 * 0.9 ** 7);
  });

  const L = 'LRScheduler.loadStateDict: ';
  const invalid: [string, ErrorConstructor, unknown][] = [
    [`${L}state must be an object, got null`, TypeError, null],
    [`${L}state must be an object, got [3,[0.1]]`, TypeError, [3, [0.1]]],
    [
      `${L}lastEpoch must be a non-negative integer, got -1`,
      RangeError,
      { lastEpoch: -1, baseLrs: [0.1, 0.2] },
    ],
    [
      `${L}lastEpoch must be a non-negative integer, got 1.5`,
      RangeError,
      { lastEpoch: 1.5, baseLrs: [0.1, 0.2] },
    ],
    [
      `${L}lastEpoch must be a non-negative integer, got "3"`,
      TypeError,
      { lastEpoch: '3', baseLrs: [0.1, 0.2] },
    ],
    [
      `${L}lastEpoch must be a non-negative integer, got undefined`,
      TypeError,
      { baseLrs: [0.1, 0.2] },
    ],
    [
      `${L}baseLrs must be an array of 2 lrs (one per param group), got undefined`,
      TypeError,
      { lastEpoch: 1 },
    ],
    [
      `${L}baseLrs must be an array of 2 lrs (one per param group), got [0.1]`,
      RangeError,
      { lastEpoch: 1, baseLrs: [0.1] },
    ],
    [
      `${L}baseLrs[1] must be a finite number >= 0, got -1`,
      RangeError,
      { lastEpoch: 1, baseLrs: [0.1, -1] },
    ],
    [
      `${L}baseLrs[0] must be a finite number >= 0, got null`,
      TypeError,
      { lastEpoch: 1, baseLrs: [null, 0.1] },
    ],
    [
      `${L}baseLrs[1] must be a finite number >= 0, got NaN`,
      RangeError,
      { lastEpoch: 1, baseLrs: [0.1, NaN] },
    ],
  ];

  it.each(invalid)('throws %s, and changes nothing', (message, ErrorClass, state) => {
    const { opt } = fakeOptimizer([0.1, 0.2]);
    const sched = new LRScheduler(opt, schedule());
    sched.step();
    const before = { dict: sched.stateDict(), lrs: opt.paramGroups.map((g) => g.lr) };
    const thrown = caught(() => sched.loadStateDict(state as SchedulerState));
    expect(thrown).toBeInstanceOf(ErrorClass);
    expect((thrown as Error).message).toBe(message);
    expect(sched.stateDict()).toEqual(before.dict);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual(before.lrs);
  });

  it('rejects a position the schedule cannot reach, and changes nothing', () => {
    const { opt } = fakeOptimizer([0.1]);
    const sched = new LRScheduler(opt, oneCycle({ maxLr: 1, totalSteps: 10 }));
    expect(() => sched.loadStateDict({ lastEpoch: 11, baseLrs: [0.1] })).toThrow(
      'oneCycle: step must be at most totalSteps = 10, got 11',
    );
    expect(sched.lastEpoch).toBe(0);
  });
});
