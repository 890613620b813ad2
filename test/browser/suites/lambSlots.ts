/**
 * LAMB at the per-tensor slot limit on the GPU: MAX_SUM_TENSORS / 2 small tensors, each in its
 * own buffers, all gathered, so their second slots fill the ratios and starts uniforms to the
 * last one (src/optim/tensorSums.ts, withGathered), and one tensor more, where nothing is
 * gathered and every tensor steps alone. Params against the reference (within
 * LAMB_F32_PARAM_ULPS of each element's running magnitude), and the dispatch counts.
 */
import { createOptimizer } from '../../../src/index.ts';
import { MAX_SUM_TENSORS } from '../../../src/kernels/tensorSums.ts';
import { ReferenceOptimizer } from '../../../src/reference/index.ts';
import { compare, trackScale } from './compare.ts';
import { randomArray, readViews, rng, trackedDevice } from './device.ts';
import { LAMB_F32_PARAM_ULPS } from './q8State.ts';

const USAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST

export interface LambSlotsResult {
  failures: string[];
  /** lastStepDispatches per tensor count. */
  dispatches: number[];
}

/** `steps` steps of MAX_SUM_TENSORS / 2 tensors, then of one more (lengths 1 to 5). */
export async function lambSlots(steps: number): Promise<LambSlotsResult> {
  const { device } = await trackedDevice();
  const failures: string[] = [];
  const dispatches: number[] = [];
  for (const count of [MAX_SUM_TENSORS / 2, MAX_SUM_TENSORS / 2 + 1]) {
    device.pushErrorScope('validation');
    const lengths = Array.from({ length: count }, (_, i) => 1 + (i % 5));
    // One buffer per tensor for params, one for grads; tensor i at byte 0 of its own.
    const next = rng(count);
    const init = lengths.map((n) => randomArray(next, n));
    const make = (n: number) =>
      device.createBuffer({ label: 'test/slots', size: 16 * Math.ceil(n / 4), usage: USAGE });
    const params = lengths.map((n) => ({ buffer: make(n), offset: 0, length: n }));
    const grads = lengths.map((n) => ({ buffer: make(n), offset: 0, length: n }));
    params.forEach((p, i) =>
      device.queue.writeBuffer(p.buffer, 0, init[i] as Float32Array<ArrayBuffer>),
    );
    const options = { lr: 0.01, weightDecay: 0.01 };
    const opt = createOptimizer('lamb', device, params, options);
    const refParams = init.map((a) => new Float32Array(a));
    const ref = new ReferenceOptimizer('lamb', refParams, options);
    const scales = init.map((a) => a.map(Math.abs));
    const g = rng(count + 1);
    for (let s = 0; s < steps; s++) {
      const gs = lengths.map((n) => randomArray(g, n));
      grads.forEach((r, i) =>
        device.queue.writeBuffer(r.buffer, 0, gs[i] as Float32Array<ArrayBuffer>),
      );
      opt.step(grads);
      ref.step(gs);
      refParams.forEach((a, i) => trackScale(scales[i] as Float32Array, a));
    }
    dispatches.push(opt.lastStepDispatches);
    const got = await readViews(device, params);
    let worst = 0;
    got.forEach((p, i) => {
      const w = compare(p, refParams[i] as Float32Array, scales[i] as Float32Array, 1);
      if (!w.ok || w.ulps > LAMB_F32_PARAM_ULPS) {
        if (worst++ < 5)
          failures.push(`${count} tensors: params[${i}] ${w.ulps} ULP: gpu ${w.gpu} ref ${w.ref}`);
      }
    });
    if (worst > 5) failures.push(`${count} tensors: ${worst} tensors off in all`);
    opt.destroy();
    for (const r of [...params, ...grads]) r.buffer.destroy();
    const err = await device.popErrorScope();
    if (err) failures.push(`${count} tensors: validation: ${err.message}`);
  }
  return { failures, dispatches };
}
