import { Adam, RMSprop, SGD, type TensorRef } from '../../../src/index.ts';
import { AdamReference, RMSpropReference, SGDReference } from '../../../src/reference/index.ts';
import { randomArray, readViews, rng, trackedDevice } from './device.ts';

export interface ApiResult {
  desc: string;
  /** Elements that differ bitwise from the CPU reference. */
  mismatches: number;
  errors: string[];
}

function differ(a: Float32Array, b: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

/**
 * Host-API behaviour against the reference: param groups with their own options, lr changed
 * between steps, steps recorded into the caller's encoder, and grads that change buffers
 * between steps.
 */
export async function api(): Promise<ApiResult[]> {
  const { device } = await trackedDevice();
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const out: ApiResult[] = [];
  const next = rng(99);
  const lengths = [7, 64, 33];
  const setup = () => {
    const pbuf = device.createBuffer({ label: 'test/p', size: 4 * 120, usage });
    const offs = [4, 40, 300];
    const params: TensorRef[] = lengths.map((n, i) => ({
      buffer: pbuf,
      offset: offs[i] as number,
      length: n,
    }));
    const init = lengths.map((n) => randomArray(next, n));
    params.forEach((p, i) =>
      device.queue.writeBuffer(p.buffer, p.offset ?? 0, init[i] as Float32Array<ArrayBuffer>),
    );
    const gbufs = [0, 1].map((k) =>
      device.createBuffer({ label: `test/g${k}`, size: 4 * 300, usage }),
    );
    const grads = gbufs.map((b) =>
      params.map((p, i) => ({ buffer: b, offset: 8 + 4 * 80 * i, length: p.length })),
    );
    return { pbuf, params, init, gbufs, grads };
  };
  const finish = async (
    desc: string,
    params: TensorRef[],
    ref: Float32Array[],
    errors: string[],
    bufs: GPUBuffer[],
  ) => {
    const got = await readViews(
      device,
      params.map((p) => ({ buffer: p.buffer, offset: p.offset ?? 0, length: p.length })),
    );
    const mismatches = got.reduce((a, g, i) => a + differ(g, ref[i] as Float32Array), 0);
    bufs.forEach((b) => b.destroy());
    out.push({ desc, mismatches, errors });
  };

  // 1. Param groups with their own lr and momentum; lr changed between steps; grads alternate
  //    between two buffers (new bind groups each time the views change).
  {
    device.pushErrorScope('validation');
    const errors: string[] = [];
    const { pbuf, params, init, gbufs, grads } = setup();
    const opt = new SGD(
      device,
      [
        { params: [params[0] as TensorRef], lr: 0.1 },
        { params: params.slice(1), momentum: 0.9, nesterov: true },
      ],
      {
        lr: 0.01,
        onError: (e) => errors.push(e.message),
      },
    );
    const ref = new SGDReference(
      [
        { params: [init[0] as Float32Array], lr: 0.1 },
        { params: init.slice(1), momentum: 0.9, nesterov: true },
      ],
      { lr: 0.01 },
    );
    for (let s = 0; s < 6; s++) {
      if (s === 3) {
        for (const g of [opt.paramGroups[1], ref.paramGroups[1]]) if (g) g.lr = 0.05;
      }
      const g = lengths.map((n) => randomArray(next, n));
      const views = grads[s % 2] as TensorRef[];
      views.forEach((v, i) =>
        device.queue.writeBuffer(v.buffer, v.offset ?? 0, g[i] as Float32Array<ArrayBuffer>),
      );
      opt.step(views);
      ref.step(g);
    }
    await opt.checkErrors().catch((e: unknown) => errors.push(String(e)));
    opt.destroy();
    const scoped = await device.popErrorScope();
    if (scoped) errors.push(scoped.message);
    await finish('SGD param groups, lr change, alternating grad buffers', params, init, errors, [
      pbuf,
      ...gbufs,
    ]);
  }

  // 2. Steps recorded into the caller's encoder (Adam and centered RMSprop with momentum).
  for (const kind of ['adam', 'rmsprop'] as const) {
    device.pushErrorScope('validation');
    const errors: string[] = [];
    const { pbuf, params, init, gbufs, grads } = setup();
    const onError = (e: Error) => errors.push(e.message);
    const opt =
      kind === 'adam'
        ? new Adam(device, params, { lr: 0.01, amsgrad: true, onError })
        : new RMSprop(device, params, { centered: true, momentum: 0.5, onError });
    const ref =
      kind === 'adam'
        ? new AdamReference(init, { lr: 0.01, amsgrad: true })
        : new RMSpropReference(init, { centered: true, momentum: 0.5 });
    for (let s = 0; s < 5; s++) {
      const g = lengths.map((n) => randomArray(next, n));
      const views = grads[0] as TensorRef[];
      views.forEach((v, i) =>
        device.queue.writeBuffer(v.buffer, v.offset ?? 0, g[i] as Float32Array<ArrayBuffer>),
      );
      const encoder = device.createCommandEncoder({ label: 'test/caller-encoder' });
      opt.step(views, encoder);
      device.queue.submit([encoder.finish()]);
      ref.step(g);
    }
    await opt.checkErrors().catch((e: unknown) => errors.push(String(e)));
    opt.destroy();
    const scoped = await device.popErrorScope();
    if (scoped) errors.push(scoped.message);
    await finish(`${kind} recorded into the caller's encoder`, params, init, errors, [
      pbuf,
      ...gbufs,
    ]);
  }
  return out;
}
