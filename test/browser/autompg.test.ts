/**
 * The auto-mpg example (npm run example -- autompg) for a few epochs in headless Chrome: TF.js
 * computes the gradients on its WebGPU backend and webgpu-optim steps its variables in place.
 * Each optimizer's per-epoch loss must match the CPU run (f32 gradients, webgpu-optim/reference)
 * within LOSS_RTOL, and fall.
 */
import { expect, it } from 'vitest';
import { runAutoMpg } from '../../scripts/exampleAutompg.ts';
import { OPTIMIZERS } from '../../examples/autompg/experiment.ts';
import { LOSS_RTOL, maxRelDiff } from '../autompgTolerance.ts';
import { describeGpu } from './harness.ts';

// 5 epochs = 60 steps per optimizer: enough for momentum's and Adam's state to matter and
// for every curve to fall, short enough for SwiftShader.
const EPOCHS = 5;

describeGpu('auto-mpg example on the GPU (TF.js gradients, webgpu-optim steps)', () => {
  it(`matches the CPU reference within ${LOSS_RTOL} relative for ${EPOCHS} epochs, and falls`, async () => {
    const { gpu, cpu, results } = await runAutoMpg(EPOCHS);
    expect(gpu.backend).toBe('webgpu');
    expect(gpu.curves.map((c) => c.name)).toEqual(OPTIMIZERS.map((o) => o.name));
    for (const [k, curve] of gpu.curves.entries()) {
      const reference = cpu[k]?.losses ?? [];
      expect(curve.losses, curve.name).toHaveLength(EPOCHS);
      const { rel, epoch } = maxRelDiff(curve.losses, reference);
      expect(rel, `${curve.name}: worst at epoch ${epoch}`).toBeLessThan(LOSS_RTOL);
      expect(curve.losses.at(-1), curve.name).toBeLessThan(curve.losses[0] as number);
    }
    expect(results.optimizers.map((o) => o.losses)).toEqual(gpu.curves.map((c) => c.losses));
  });
});
