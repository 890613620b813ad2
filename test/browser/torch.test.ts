/**
 * The GPU optimizers against PyTorch itself: every case of test/fixtures/torch/optim.json
 * (torch.optim float32 trajectories, clip_grad_norm_ / clip_grad_value_ included) and of
 * h11a.json (Adamax, Adadelta; Lion from a float64 lion-pytorch) in one page, within the
 * per-algorithm bounds of test/torch/tolerance.ts.
 */
import { expect, it } from 'vitest';
import optimJson from '../fixtures/torch/optim.json' with { type: 'json' };
import h11aJson from '../fixtures/torch/h11a.json' with { type: 'json' };
import nadamRadamJson from '../fixtures/torch/nadam_radam.json' with { type: 'json' };
import type { TorchOptimFixture } from '../torch/fixture.ts';
import { torchFailures } from '../torch/tolerance.ts';
import { describeGpu, useTestPage } from './harness.ts';

const optim = optimJson as unknown as TorchOptimFixture;
const h11a = h11aJson as unknown as TorchOptimFixture;

describeGpu('GPU optimizers against torch.optim', () => {
  const testPage = useTestPage();

  it('follows every torch trajectory within the per-algorithm ULP bound', async () => {
    const results = await testPage().run('torchFixtures', optim);
    expect(results).toHaveLength(optim.cases.length);
    expect(torchFailures(results)).toEqual([]);
    const worst: Record<string, number> = {};
    for (const r of results) worst[r.algorithm] = Math.max(worst[r.algorithm] ?? 0, r.paramUlps);
    console.info(`GPU vs torch, max param ULPs: ${JSON.stringify(worst)}`);
  }, 600_000);

  it('follows the Adamax, Adadelta and Lion trajectories of h11a.json', async () => {
    const results = await testPage().run('torchFixtures', h11a);
    expect(results).toHaveLength(h11a.cases.length);
    expect(torchFailures(results)).toEqual([]);
  }, 600_000);

  it("NAdam and RAdam follow torch 2.x's trajectories (nadam_radam.json) within the bound", async () => {
    const fixture = nadamRadamJson as unknown as TorchOptimFixture;
    const results = await testPage().run('torchFixtures', fixture);
    expect(results).toHaveLength(fixture.cases.length);
    expect(torchFailures(results)).toEqual([]);
  }, 600_000);
});
