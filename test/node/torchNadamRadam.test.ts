/**
 * NAdam and RAdam in the CPU reference against torch 2.x's `_single_tensor_nadam` /
 * `_single_tensor_radam`: test/fixtures/torch/nadam_radam.json, written by
 * scripts/fixtures/nadam_radam.py from a float32 transcription of the 2.x source that the
 * script first checks bitwise against torch 1.13's own classes wherever 1.13's maths is the
 * same (see the script's header for why 1.13 alone cannot be the oracle). Tolerances:
 * test/torch/tolerance.ts.
 */
import { describe, expect, it } from 'vitest';
import json from '../fixtures/torch/nadam_radam.json' with { type: 'json' };
import { DEFAULTS } from '../../src/options/defaults.ts';
import { ReferenceOptimizer } from '../../src/reference/optimizer.ts';
import { OPTIMIZER_CASES } from '../cases.ts';
import {
  caseInputs,
  measureCase,
  type TorchCase,
  type TorchOptimFixture,
} from '../torch/fixture.ts';
import { torchFailures } from '../torch/tolerance.ts';

type Case = TorchCase & { muProduct?: number[]; checkedAgainst113: boolean };
const fixture = json as unknown as Omit<TorchOptimFixture, 'cases'> & {
  cases: Case[];
  defaults113: Record<string, Record<string, unknown>>;
};

function run(c: Case): { ref: ReferenceOptimizer<'nadam' | 'radam'>; grads: Float32Array[][] } {
  const { params0, grads } = caseInputs(fixture, c);
  const ref = new ReferenceOptimizer(c.algorithm as 'nadam', params0, c.options as never);
  return { ref, grads };
}

describe('NAdam and RAdam against torch 2.x (test/fixtures/torch/nadam_radam.json)', () => {
  it('covers every NAdam and RAdam row of the parity table, and both RAdam branches', () => {
    const key = (a: string, o: object) => `${a} ${JSON.stringify(Object.entries(o).sort())}`;
    const have = new Set(fixture.cases.map((c) => key(c.algorithm, c.options)));
    const rows = OPTIMIZER_CASES.filter((c) => c.algorithm === 'nadam' || c.algorithm === 'radam');
    expect(rows).toHaveLength(16);
    expect(rows.filter((c) => !have.has(key(c.algorithm, c.options))).map((c) => c.desc)).toEqual(
      [],
    );
    // beta2 = 0.999: rho_t = 4.99… at step 5 and 5.99… at step 6, within the 12 steps
    expect(fixture.steps).toBe(12);
  });

  it('the transcription was checked bitwise against torch 1.13 on every case 1.13 can express', () => {
    const expressible = fixture.cases.filter(
      (c) => c.options.decoupledWeightDecay !== true && c.options.maximize !== true,
    );
    expect(expressible.length).toBeGreaterThanOrEqual(10);
    expect(expressible.every((c) => c.checkedAgainst113)).toBe(true);
  });

  it('follows every trajectory within the per-algorithm ULP bound', async () => {
    const results = [];
    for (const c of fixture.cases) {
      const { ref, grads } = run(c);
      results.push(
        await measureCase(fixture, c, grads, {
          step: (g) => ref.step(g),
          params: () => ref.params,
          state: () =>
            ref.stateDict().state.map((s) => ({
              exp_avg: s.exp_avg as Float32Array,
              exp_avg_sq: s.exp_avg_sq as Float32Array,
            })),
        }),
      );
    }
    expect(results).toHaveLength(fixture.cases.length);
    expect(torchFailures(results)).toEqual([]);
  });

  it("NAdam's mu_product equals torch's float32 mu_product bitwise after 12 steps", () => {
    const nadam = fixture.cases.filter((c) => c.algorithm === 'nadam');
    expect(nadam.length).toBeGreaterThan(0);
    for (const c of nadam) {
      const { ref, grads } = run(c);
      for (const g of grads) ref.step(g);
      expect(
        ref.stateDict().state.map((s) => s.mu_product),
        c.desc,
        // the fixture holds the shortest decimal that round-trips the float32
      ).toEqual(c.muProduct?.map(Math.fround));
    }
  });

  it("defaults are torch's: 1.13's signature, plus 2.x's decoupled_weight_decay and maximize", () => {
    const snake = (k: string) => k.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);
    for (const a of ['nadam', 'radam'] as const) {
      const ours: Record<string, unknown> = { ...DEFAULTS[a] };
      expect(ours.decoupledWeightDecay).toBe(false);
      expect(ours.maximize).toBe(false);
      delete ours.decoupledWeightDecay;
      delete ours.maximize;
      expect(Object.fromEntries(Object.entries(ours).map(([k, v]) => [snake(k), v]))).toEqual(
        fixture.defaults113[a],
      );
    }
  });
});
