/**
 * NAdam and RAdam on Dawn in Node: param groups with their own options in one ParamArena, lr
 * changes, and the GradScaler's skipped step, bitwise against the CPU reference
 * (test/browser/suites/nadamRadam.ts).
 */
import { expect, it } from 'vitest';
import nadamRadamJson from '../fixtures/torch/nadam_radam.json' with { type: 'json' };
import { nadamRadamGroups } from '../browser/suites/nadamRadam.ts';
import { torchFixtures } from '../browser/suites/torch.ts';
import type { TorchOptimFixture } from '../torch/fixture.ts';
import { torchFailures } from '../torch/tolerance.ts';
import { describeNodeGpu, useNodeDevice } from './harness.ts';

describeNodeGpu('NAdam and RAdam on Dawn in Node', () => {
  useNodeDevice();

  it('match the reference bitwise with param groups, lr changes and a GradScaler', async () => {
    const results = await nadamRadamGroups();
    expect(results).toHaveLength(6);
    for (const r of results) {
      expect(r, r.desc).toMatchObject({ mismatches: 0, errors: [], dispatches: 2 });
      // 8 step() calls; with a scaler the poisoned one is not counted
      const taken = (r.desc.includes('GradScaler') ? 7 : 8) + (r.desc.includes('300') ? 300 : 0);
      expect(r.stepCounts, r.desc).toEqual([taken, taken, taken, taken]);
      if (r.desc.startsWith('nadam')) {
        for (const [gpu, ref] of r.muProduct) {
          expect(gpu, r.desc).toBe(ref);
          expect(gpu, r.desc).toBeGreaterThan(0);
        }
        // the two groups' momentum schedules differ, so their products do
        expect(r.muProduct[0]?.[0]).not.toBe(r.muProduct[2]?.[0]);
      }
    }
  });

  it("follow torch 2.x's trajectories (test/fixtures/torch/nadam_radam.json) within the ULP bound", async () => {
    const fixture = nadamRadamJson as unknown as TorchOptimFixture;
    const results = await torchFixtures(fixture);
    expect(results).toHaveLength(fixture.cases.length);
    expect(torchFailures(results)).toEqual([]);
  });
});
