import type { TensorRef } from '../../../src/index.ts';
import {
  caseInputs,
  measureCase,
  type TorchOptimFixture,
  type TorchWorst,
} from '../../torch/fixture.ts';
import { readViews, trackedDevice } from './device.ts';
import { makeOptimizer } from './optimizers.ts';

/**
 * Runs every case of the PyTorch fixture (test/fixtures/torch/optim.json) on the GPU, one
 * exactly-sized buffer per tensor, reading the params back after every step, and measures it
 * against torch's trajectory (test/torch/fixture.ts).
 */
export async function torchFixtures(fixture: TorchOptimFixture): Promise<TorchWorst[]> {
  const { device } = await trackedDevice();
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const out: TorchWorst[] = [];
  for (const c of fixture.cases) {
    const errors: string[] = [];
    device.pushErrorScope('validation');
    const { params0, grads } = caseInputs(fixture, c);
    const make = (label: string, a: Float32Array): Required<TensorRef> => {
      const buffer = device.createBuffer({ label, size: 4 * a.length, usage });
      return { buffer, offset: 0, length: a.length };
    };
    const params = params0.map((p, i) => make(`test/torch/param[${i}]`, p));
    const gradRefs = params0.map((p, i) => make(`test/torch/grad[${i}]`, p));
    params.forEach((p, i) =>
      device.queue.writeBuffer(p.buffer, 0, params0[i] as Float32Array<ArrayBuffer>),
    );
    const opt = makeOptimizer(c.algorithm, device, params, {
      ...c.options,
      onError: (e) => errors.push(e.message),
    });
    const w = await measureCase(fixture, c, grads, {
      step: (gs) => {
        gs.forEach((g, i) =>
          device.queue.writeBuffer(
            (gradRefs[i] as Required<TensorRef>).buffer,
            0,
            g as Float32Array<ArrayBuffer>,
          ),
        );
        opt.step(gradRefs);
      },
      params: () => readViews(device, params),
      state: async () =>
        (await opt.stateDict()).state.map(
          (s) =>
            Object.fromEntries(
              Object.entries(s).filter(([, v]) => v instanceof Float32Array),
            ) as Record<string, Float32Array>,
        ),
      norm: () => opt.gradNorm(),
    });
    await opt.checkErrors().catch((e: unknown) => errors.push(String(e)));
    opt.destroy();
    [...params, ...gradRefs].forEach((r) => r.buffer.destroy());
    const scoped = await device.popErrorScope();
    if (scoped) errors.push(`validation: ${scoped.message}`);
    out.push(errors.length > 0 ? { ...w, missing: [...w.missing, ...errors] } : w);
  }
  return out;
}
