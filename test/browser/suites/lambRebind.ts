/**
 * LAMB after `rebindParams` moves a param group's tensors from separate buffers (where the small
 * ones were gathered, with slots and partial ranges of their own past the tensors':
 * src/optim/tensorSums.ts, withGathered) into one buffer, with the grads at the same layout in
 * another: the group now qualifies for one MULTI dispatch, which indexes its tensors' slots
 * and partials from its first tensor's on. Params against the reference (within
 * LAMB_F32_PARAM_ULPS of each element's running magnitude; 8-bit tensors bit for bit), and each
 * step's dispatch count.
 */
import { createOptimizer } from '../../../src/index.ts';
import { ReferenceOptimizer } from '../../../src/reference/index.ts';
import { compare, trackScale } from './compare.ts';
import { randomArray, readViews, rng, trackedDevice } from './device.ts';
import { firstDiff, LAMB_F32_PARAM_ULPS } from './q8State.ts';

const USAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST

export interface LambRebindCase {
  lengths: readonly number[];
  /** 'q8' with min8bitSize 4096: tensors of 4096 elements or more keep 8-bit state. */
  q8?: boolean;
  /** The optimizer's gatherBelow (default 65 536). */
  gatherBelow?: number;
}

export interface LambRebindResult {
  failures: string[];
  /** lastStepDispatches of each step (the first on separate buffers, the others after). */
  dispatches: number[];
}

/** One step on separate buffers, `rebindParams` into one buffer, `steps - 1` more steps. */
export async function lambRebind(
  cases: readonly LambRebindCase[],
  steps: number,
): Promise<LambRebindResult[]> {
  const { device } = await trackedDevice();
  const out: LambRebindResult[] = [];
  for (const [c, kase] of cases.entries()) {
    device.pushErrorScope('validation');
    const { lengths } = kase;
    const failures: string[] = [];
    const where = `${JSON.stringify(lengths)}${kase.q8 ? ' q8' : ''}`;
    const next = rng(700 + c);
    const init = lengths.map((n) => randomArray(next, n));
    const buffer = (size: number) =>
      device.createBuffer({ label: 'test/rebind', size, usage: USAGE });
    const separate = lengths.map((n) => ({ param: buffer(4 * n), grad: buffer(4 * n) }));
    lengths.forEach((_, k) =>
      device.queue.writeBuffer(
        (separate[k] as { param: GPUBuffer }).param,
        0,
        init[k] as Float32Array<ArrayBuffer>,
      ),
    );
    // The arena: each tensor at a 16-byte boundary.
    const offsets: number[] = [];
    let size = 0;
    for (const n of lengths) {
      offsets.push(size);
      size = Math.ceil((size + 4 * n) / 16) * 16;
    }
    const arena = { param: buffer(size), grad: buffer(size) };
    const options = {
      lr: 0.01,
      weightDecay: 0.01,
      ...(kase.q8 ? { stateDtype: 'q8', min8bitSize: 4096 } : {}),
    } as never;
    const host = {
      ...(options as object),
      ...(kase.gatherBelow === undefined ? {} : { gatherBelow: kase.gatherBelow }),
    } as never;
    const opt = createOptimizer(
      'lamb',
      device,
      lengths.map((n, k) => ({ buffer: (separate[k] as { param: GPUBuffer }).param, length: n })),
      host,
    ) as unknown as {
      step(g: readonly { buffer: GPUBuffer; offset: number; length: number }[]): void;
      rebindParams(p: readonly { buffer: GPUBuffer; offset: number; length: number }[]): void;
      isQuantized(i: number): boolean;
      lastStepDispatches: number;
      destroy(): void;
    };
    const refParams = init.map((a) => new Float32Array(a));
    const ref = new ReferenceOptimizer('lamb', refParams, options);
    const scales = init.map((a) => a.map(Math.abs));
    const g = rng(800 + c);
    const dispatches: number[] = [];
    const views = (role: 'param' | 'grad', inArena: boolean) =>
      lengths.map((n, k) => ({
        buffer: inArena ? arena[role] : (separate[k] as Record<typeof role, GPUBuffer>)[role],
        offset: inArena ? (offsets[k] as number) : 0,
        length: n,
      }));
    for (let s = 0; s < steps; s++) {
      if (s === 1) {
        // The params move into the arena, values and all.
        const encoder = device.createCommandEncoder({ label: 'test/rebind-move' });
        views('param', false).forEach((v, k) =>
          encoder.copyBufferToBuffer(v.buffer, 0, arena.param, offsets[k] as number, 4 * v.length),
        );
        device.queue.submit([encoder.finish()]);
        opt.rebindParams(views('param', true));
      }
      const gs = lengths.map((n) => randomArray(g, n));
      const grads = views('grad', s > 0);
      grads.forEach((v, k) =>
        device.queue.writeBuffer(v.buffer, v.offset, gs[k] as Float32Array<ArrayBuffer>),
      );
      opt.step(grads);
      dispatches.push(opt.lastStepDispatches);
      ref.step(gs);
      refParams.forEach((a, k) => trackScale(scales[k] as Float32Array, a));
    }
    const got = await readViews(device, views('param', true));
    got.forEach((p, k) => {
      const r = refParams[k] as Float32Array;
      if (opt.isQuantized(k)) {
        const d = firstDiff(p, r);
        if (d) failures.push(`${where} params[${k}] ${d}`);
        return;
      }
      const w = compare(p, r, scales[k] as Float32Array, 1);
      if (!w.ok || w.ulps > LAMB_F32_PARAM_ULPS) {
        failures.push(
          `${where} params[${k}] ${w.ulps} ULP at [${w.index}]: gpu ${w.gpu} ref ${w.ref}`,
        );
      }
    });
    opt.destroy();
    for (const b of [...separate.flatMap((v) => [v.param, v.grad]), arena.param, arena.grad])
      b.destroy();
    const err = await device.popErrorScope();
    if (err) failures.push(`${where} validation: ${err.message}`);
    out.push({ failures, dispatches });
  }
  return out;
}
