/**
 * The CPU reference against PyTorch itself: trajectories from torch.optim (float32), clip
 * norms from torch.nn.utils, lrs from torch.optim.lr_scheduler, and torch's defaults, all in
 * test/fixtures/torch/*.json (regenerate: `npm run fixtures:torch`). Tolerances:
 * test/torch/tolerance.ts.
 */
import { describe, expect, it } from 'vitest';
import optimJson from '../fixtures/torch/optim.json' with { type: 'json' };
import schedulesJson from '../fixtures/torch/schedules.json' with { type: 'json' };
import defaultsJson from '../fixtures/torch/defaults.json' with { type: 'json' };
import { DEFAULTS } from '../../src/options/defaults.ts';
import { ReferenceOptimizer } from '../../src/reference/optimizer.ts';
import { LRScheduler } from '../../src/schedules/index.ts';
import type { Algorithm } from '../../src/options/types.ts';
import { OPTIMIZER_CASES } from '../cases.ts';
import {
  caseInputs,
  measureCase,
  type TorchOptimFixture,
  type TorchWorst,
} from '../torch/fixture.ts';
import { buildSchedule, type TorchScheduleFixture } from '../torch/schedules.ts';
import { torchFailures } from '../torch/tolerance.ts';

const optim = optimJson as unknown as TorchOptimFixture;
const schedules = schedulesJson as unknown as TorchScheduleFixture;

/** Runs every fixture case through the CPU reference. */
async function measureReference(): Promise<TorchWorst[]> {
  const out: TorchWorst[] = [];
  for (const c of optim.cases) {
    const { params0, grads } = caseInputs(optim, c);
    const ref = new ReferenceOptimizer(c.algorithm, params0, c.options as never);
    out.push(
      await measureCase(optim, c, grads, {
        step: (g) => ref.step(g),
        params: () => ref.params,
        state: () =>
          ref
            .stateDict()
            .state.map(
              (s) =>
                Object.fromEntries(
                  Object.entries(s).filter(([, v]) => v instanceof Float32Array),
                ) as Record<string, Float32Array>,
            ),
        norm: () => ref.lastGradNorm,
      }),
    );
  }
  return out;
}

describe('CPU reference against torch.optim (test/fixtures/torch/optim.json)', () => {
  it('covers every option combination of the parity table (epsInsideSqrt: float64 transcription)', () => {
    // torch's cases omit epsInsideSqrt (false); the transcribed ones carry epsInsideSqrt: true
    // (the algorithms of h11a.json are checked in torchAdamaxAdadeltaLion.test.ts, LAMB's
    // lamb.json in lamb.test.ts)
    const here = new Set(optim.cases.map((c) => c.algorithm));
    const key = (a: string, o: object) =>
      `${a} ${JSON.stringify(
        Object.entries(o)
          .filter(([k, v]) => !(k === 'epsInsideSqrt' && v === false))
          .sort(),
      )}`;
    const have = new Set(optim.cases.map((c) => key(c.algorithm, c.options)));
    expect(
      OPTIMIZER_CASES.filter(
        (c) => here.has(c.algorithm) && !have.has(key(c.algorithm, c.options)),
      ).map((c) => c.desc),
    ).toEqual([]);
    // and only the eps-inside cases come from the transcription
    for (const c of optim.cases)
      expect(c.precision === 'float64', c.desc).toBe(c.options.epsInsideSqrt === true);
    expect(optim.steps).toBeGreaterThanOrEqual(10);
    expect(optim.cases.every((c) => c.params.length === optim.steps)).toBe(true);
  });

  it('follows every trajectory within the per-algorithm ULP bound', async () => {
    const results = await measureReference();
    expect(results).toHaveLength(optim.cases.length);
    expect(torchFailures(results)).toEqual([]);
  });

  it('the default cases pass no option but lr for SGD (torch 1.13 requires it), with |g| ≤ 1e-4', () => {
    const defaults = optim.cases.filter((c) => c.desc.includes('defaults') && !c.precision);
    expect(defaults.map((c) => c.algorithm).sort()).toEqual([
      'adagrad',
      'adagrad',
      'adam',
      'adam',
      'adamw',
      'adamw',
      'rmsprop',
      'rmsprop',
      'sgd',
    ]);
    for (const c of defaults) {
      expect(c.options, c.desc).toEqual(c.algorithm === 'sgd' ? { lr: 0.1 } : {});
    }
    const small = optim.inputs.small?.grads.flat(2) ?? [];
    expect(small.length).toBeGreaterThan(0);
    // g² ≤ 1e-8: Adam's and RMSprop's ε (1e-8) is not negligible next to sqrt(v)
    expect(Math.max(...small.map(Math.abs))).toBeLessThanOrEqual(1e-4);
  });

  it("clips at norms near 1e-6, where clip_grad_norm_'s + 1e-6 matters", () => {
    const tiny = optim.cases.filter((c) => c.inputs === 'tiny' && c.norms);
    expect(tiny.length).toBeGreaterThan(0);
    for (const c of tiny) {
      const n = c.norms as number[];
      expect(Math.max(...n), c.desc).toBeLessThan(3e-6);
    }
  });
});

describe('LR schedules against torch.optim.lr_scheduler (test/fixtures/torch/schedules.json)', () => {
  // torch's chainable forms (CosineAnnealingLR, LinearLR, ChainedScheduler) update the lr
  // recursively in f64, ours are closed forms: measured max relative difference 4.8e-16 (about
  // 2 f64 ULPs, 2^-52 ≈ 2.2e-16) over ≤ 23 steps; 1e-15 allows that and nothing a bug does.
  it.each(schedules.runs.map((r) => [r.desc, r] as const))('%s', (_, run) => {
    const opt = { paramGroups: run.baseLrs.map((lr) => ({ lr })) };
    const sched = new LRScheduler(opt, buildSchedule(run.schedule));
    const ours = [sched.getLastLr()];
    for (let t = 1; t < run.lrs.length; t++) {
      sched.step();
      ours.push(sched.getLastLr());
    }
    run.lrs.forEach((expected, t) =>
      expected.forEach((e, g) => {
        const o = ours[t]?.[g] as number;
        expect(
          Math.abs(o - e),
          `${run.desc}: step ${t} group ${g}: ours ${o}, torch ${e}`,
        ).toBeLessThanOrEqual(1e-15 * Math.abs(e));
      }),
    );
  });
});

describe("PyTorch's defaults", () => {
  // torch 1.13 (torch/optim/*.py), written out by hand; SGD's lr is `required` there and
  // 1e-3 from torch 2.x on, which is what DEFAULTS holds.
  const TORCH: Partial<Record<Algorithm, Record<string, unknown>>> = {
    sgd: { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false },
    adagrad: {
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    },
    rmsprop: {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    },
    adam: {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
    },
    adamw: {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
    },
  };
  const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

  it.each(Object.keys(TORCH) as (keyof typeof TORCH)[])(
    '%s: DEFAULTS holds them (epsInsideSqrt off)',
    (a) => {
      const ours: Record<string, unknown> = { ...DEFAULTS[a] };
      if ('epsInsideSqrt' in ours) {
        expect(ours.epsInsideSqrt).toBe(false);
        delete ours.epsInsideSqrt;
      }
      expect(ours).toEqual(TORCH[a]);
    },
  );

  it.each(Object.keys(TORCH) as (keyof typeof TORCH)[])(
    "%s: the literals are torch 1.13's signature defaults",
    (a) => {
      const read =
        (defaultsJson as { defaults: Record<string, Record<string, unknown>> }).defaults[a] ?? {};
      for (const [k, v] of Object.entries(TORCH[a] ?? {})) {
        const t = read[snake(k)];
        if (a === 'sgd' && k === 'lr') expect(t).toBe('<required parameter>');
        else expect(t, `${a}.${snake(k)}`).toEqual(v);
      }
    },
  );
});
