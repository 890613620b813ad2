/**
 * 'q8' state through a binary checkpoint on the GPU: step, `serializeStateDict(await
 * opt.stateDict())`, `deserializeStateDict`, load into a fresh optimizer over the same params,
 * continue, and compare params, codes and absmax bit for bit with a reference that never
 * stopped. The same bytes also load into a fresh reference, and the reference's bytes into a
 * fresh GPU optimizer, which must agree too.
 */
import {
  createOptimizer,
  deserializeStateDict,
  serializeStateDict,
  type StateDict,
} from '../../../src/index.ts';
import { ReferenceOptimizer } from '../../../src/reference/index.ts';
import type { Algorithm } from '../../../src/options/types.ts';
import { randomArray, readViews, rng, trackedDevice } from './device.ts';
import { diffDicts, firstDiff } from './q8State.ts';

const USAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST

/** One 8-bit tensor with a partial last block, one under min8bitSize, one more 8-bit. */
const LENGTHS = [5000, 300, 4099] as const;

const CASES: readonly { algorithm: Algorithm; options: Record<string, unknown> }[] = [
  { algorithm: 'adam', options: { lr: 0.01, amsgrad: true } },
  { algorithm: 'nadam', options: { lr: 0.01 } }, // mu_product rides in the header
  { algorithm: 'sgd', options: { lr: 0.01, momentum: 0.9 } },
];

interface Resumable {
  step(g: readonly { buffer: GPUBuffer; length: number }[]): void;
  stateDict(): Promise<StateDict>;
  loadStateDict(d: StateDict): void;
  destroy(): void;
}

export interface Q8CheckpointResult {
  failures: string[];
  /** Checkpoint sizes in bytes, per case. */
  bytes: number[];
  /** Tensors carrying `q8` in the deserialized dict, per case. */
  quantized: number[];
}

/** Runs CASES through save → bytes → load → continue; `steps` before and after the break. */
export async function q8Checkpoint(steps: number): Promise<Q8CheckpointResult> {
  const { device } = await trackedDevice();
  const failures: string[] = [];
  const bytes: number[] = [];
  const quantized: number[] = [];
  device.pushErrorScope('validation');
  for (const [c, kase] of CASES.entries()) {
    const where = `${kase.algorithm} ${JSON.stringify(kase.options)}`;
    const init = LENGTHS.map((n, k) => randomArray(rng(500 + 10 * c + k), n));
    const bufs = LENGTHS.map((n) => ({
      param: device.createBuffer({ label: 'test/q8c-param', size: 4 * n, usage: USAGE }),
      // params of a GPU optimizer that resumes from the reference's bytes
      other: device.createBuffer({ label: 'test/q8c-param2', size: 4 * n, usage: USAGE }),
      grad: device.createBuffer({ label: 'test/q8c-grad', size: 4 * n, usage: USAGE }),
    }));
    const params = bufs.map((b, k) => ({ buffer: b.param, length: LENGTHS[k] as number }));
    const otherParams = bufs.map((b, k) => ({ buffer: b.other, length: LENGTHS[k] as number }));
    const grads = bufs.map((b, k) => ({ buffer: b.grad, length: LENGTHS[k] as number }));
    bufs.forEach((b, k) =>
      device.queue.writeBuffer(b.param, 0, init[k] as Float32Array<ArrayBuffer>),
    );
    const options = { ...kase.options, stateDtype: 'q8' } as never;
    const make = (over = params) =>
      createOptimizer(kase.algorithm, device, over, options) as unknown as Resumable;
    const refParams = init.map((a) => new Float32Array(a));
    const ref = new ReferenceOptimizer(kase.algorithm, refParams, options);
    const next = rng(600 + c);
    /** Steps `opts` and the reference; returns the grads, for the cross-check to replay. */
    const run = (...opts: Resumable[]): Float32Array[][] => {
      const drawn: Float32Array[][] = [];
      for (let s = 0; s < steps; s++) {
        const gs = LENGTHS.map((n, k) => randomArray(next, n, 10 ** (-k - s)));
        gs.forEach((g, k) => device.queue.writeBuffer((bufs[k] as { grad: GPUBuffer }).grad, 0, g));
        for (const opt of opts) opt.step(grads);
        ref.step(gs);
        drawn.push(gs);
      }
      return drawn;
    };
    const first = make();
    run(first);
    const checkpoint = serializeStateDict(await first.stateDict());
    first.destroy();
    // A GPU optimizer resumes from the reference's bytes, over a copy of its params.
    const fromRef = make(otherParams);
    refParams.forEach((p, k) =>
      device.queue.writeBuffer((bufs[k] as { other: GPUBuffer }).other, 0, new Float32Array(p)),
    );
    fromRef.loadStateDict(deserializeStateDict(serializeStateDict(ref.stateDict())));
    bytes.push(checkpoint.byteLength);
    const dict = deserializeStateDict(checkpoint);
    quantized.push(dict.state.filter((s) => s.q8 !== undefined).length);
    // The reference resumes from the GPU's bytes at the same point, over the GPU's params.
    const crossParams = await readViews(
      device,
      params.map((p) => ({ ...p, offset: 0 })),
    );
    const cross = new ReferenceOptimizer(kase.algorithm, crossParams, options);
    cross.loadStateDict(dict);
    const resumed = make();
    resumed.loadStateDict(dict);
    for (const gs of run(resumed, fromRef)) cross.step(gs);
    const out = await readViews(
      device,
      params.map((p) => ({ ...p, offset: 0 })),
    );
    const outFromRef = await readViews(
      device,
      otherParams.map((p) => ({ ...p, offset: 0 })),
    );
    out.forEach((p, k) => {
      const d = firstDiff(p, refParams[k] as Float32Array);
      if (d) failures.push(`${where} params[${k}] ${d}`);
      const dr = firstDiff(outFromRef[k] as Float32Array, refParams[k] as Float32Array);
      if (dr) failures.push(`${where} GPU from the reference's bytes: params[${k}] ${dr}`);
      const dc = firstDiff(crossParams[k] as Float32Array, refParams[k] as Float32Array);
      if (dc) failures.push(`${where} reference from the GPU's bytes: params[${k}] ${dc}`);
    });
    const rd = ref.stateDict();
    failures.push(...diffDicts(await resumed.stateDict(), rd, `${where} resumed`));
    failures.push(...diffDicts(cross.stateDict(), rd, `${where} reference from the bytes`));
    failures.push(...diffDicts(await fromRef.stateDict(), rd, `${where} GPU from the ref's bytes`));
    resumed.destroy();
    fromRef.destroy();
    for (const b of bufs) {
      b.param.destroy();
      b.other.destroy();
      b.grad.destroy();
    }
  }
  const err = await device.popErrorScope();
  if (err) failures.push(`validation: ${err.message}`);
  return { failures, bytes, quantized };
}
