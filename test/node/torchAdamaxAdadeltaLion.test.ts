/**
 * The CPU reference of Adamax, Adadelta and Lion against test/fixtures/torch/h11a.json
 * (scripts/fixtures/h11a.py): Adamax and Adadelta from the real torch.optim in float32, Lion
 * from a float64 transcription of lion-pytorch's update_fn (torch has no Lion). Tolerances:
 * test/torch/tolerance.ts.
 */
import { describe, expect, it } from 'vitest';
import fixtureJson from '../fixtures/torch/h11a.json' with { type: 'json' };
import { DEFAULTS } from '../../src/options/defaults.ts';
import { ReferenceOptimizer } from '../../src/reference/optimizer.ts';
import type { Algorithm } from '../../src/options/types.ts';
import { OPTIMIZER_CASES } from '../cases.ts';
import { caseInputs, measureCase, type TorchOptimFixture } from '../torch/fixture.ts';
import { torchFailures } from '../torch/tolerance.ts';

const fixture = fixtureJson as unknown as TorchOptimFixture & {
  defaults: Record<string, Record<string, unknown>>;
};
const ALGORITHMS = [...new Set(fixture.cases.map((c) => c.algorithm))];

describe('Adamax, Adadelta and Lion against torch.optim / lion-pytorch (h11a.json)', () => {
  it('covers every option combination of the parity table for these algorithms', () => {
    const key = (a: string, o: object) => `${a} ${JSON.stringify(Object.entries(o).sort())}`;
    const have = new Set(fixture.cases.map((c) => key(c.algorithm, c.options)));
    const ours = OPTIMIZER_CASES.filter((c) => ALGORITHMS.includes(c.algorithm));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((c) => !have.has(key(c.algorithm, c.options))).map((c) => c.desc)).toEqual(
      [],
    );
    expect(fixture.steps).toBeGreaterThanOrEqual(10);
  });

  it.each(fixture.cases.map((c) => [c.desc, c] as const))(
    'follows the trajectory within the ULP bound: %s',
    async (_, c) => {
      const { params0, grads } = caseInputs(fixture, c);
      const ref = new ReferenceOptimizer(c.algorithm, params0, c.options as never);
      const worst = await measureCase(fixture, c, grads, {
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
      });
      expect(torchFailures([worst])).toEqual([]);
    },
  );

  const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  it.each(Object.keys(fixture.defaults))("%s: DEFAULTS are torch's signature defaults", (a) => {
    const torch = fixture.defaults[a] ?? {};
    const ours = DEFAULTS[a as Algorithm] as Record<string, unknown>;
    for (const [k, v] of Object.entries(ours)) expect(torch[snake(k)], `${a}.${k}`).toEqual(v);
  });
});
