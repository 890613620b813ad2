/**
 * An f32 state dict loaded into a 'q8' optimizer on the GPU: its arrays are quantised as the
 * kernel stores them (src/options/q8Recover.ts), Adadelta's square_avg rounded up
 * (Q8_ROUNDED_UP) and every other array to nearest, bit for bit as a 'q8' reference loading the
 * same dict; then one more step on both.
 */
import { createOptimizer, type StateDict } from '../../../src/index.ts';
import { ReferenceOptimizer } from '../../../src/reference/index.ts';
import { quantize } from '../../../src/options/q8.ts';
import type { Algorithm } from '../../../src/options/types.ts';
import { randomArray, readViews, rng, trackedDevice } from './device.ts';
import { diffDicts, firstDiff } from './q8State.ts';

const USAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST
const N = 5000;

const CASES: readonly { algorithm: Algorithm; options: Record<string, unknown> }[] = [
  { algorithm: 'adadelta', options: { lr: 1 } },
  { algorithm: 'adam', options: { lr: 0.01 } },
];

export interface Q8LoadF32Result {
  failures: string[];
  /** Adadelta's loaded square_avg codes that differ from nearest (rounded up instead). */
  roundedUp: number;
}

export async function q8LoadF32(): Promise<Q8LoadF32Result> {
  const { device } = await trackedDevice();
  const failures: string[] = [];
  let roundedUp = 0;
  device.pushErrorScope('validation');
  for (const [c, kase] of CASES.entries()) {
    const where = `${kase.algorithm} f32 dict into q8`;
    const next = rng(500 + c);
    const init = randomArray(next, N);
    const grads = [randomArray(next, N, 0.1), randomArray(next, N, 0.1), randomArray(next, N)];
    // Two steps with f32 state on the reference: the dict to load.
    const f32Params = new Float32Array(init);
    const f32 = new ReferenceOptimizer(kase.algorithm, [f32Params], kase.options as never);
    f32.step([grads[0] as Float32Array]);
    f32.step([grads[1] as Float32Array]);
    const dict: StateDict = f32.stateDict();
    const options = { ...kase.options, stateDtype: 'q8' } as never;
    const param = device.createBuffer({ label: 'test/q8f-param', size: 4 * N, usage: USAGE });
    const grad = device.createBuffer({ label: 'test/q8f-grad', size: 4 * N, usage: USAGE });
    device.queue.writeBuffer(param, 0, f32Params);
    device.queue.writeBuffer(grad, 0, grads[2] as Float32Array<ArrayBuffer>);
    const gpu = createOptimizer(kase.algorithm, device, [{ buffer: param, length: N }], options);
    gpu.loadStateDict(dict);
    const refParams = new Float32Array(f32Params);
    const ref = new ReferenceOptimizer(kase.algorithm, [refParams], options);
    ref.loadStateDict(dict);
    failures.push(...diffDicts(await gpu.stateDict(), ref.stateDict(), `${where}, loaded`));
    if (kase.algorithm === 'adadelta') {
      const sq = dict.state[0]?.square_avg as Float32Array;
      const loaded = ref.stateDict().state[0]?.q8?.square_avg;
      const up = quantize(sq, false, true);
      const dc = firstDiff(loaded?.codes ?? [], up.codes);
      if (dc) failures.push(`${where}: square_avg not rounded up: ${dc}`);
      const nearest = quantize(sq, false).codes;
      roundedUp = up.codes.filter((code, i) => code !== nearest[i]).length;
    }
    gpu.step([{ buffer: grad, length: N }]);
    ref.step([grads[2] as Float32Array]);
    const [p] = await readViews(device, [{ buffer: param, offset: 0, length: N }]);
    const d = firstDiff(p as Float32Array, refParams);
    if (d) failures.push(`${where}, after a step: params ${d}`);
    failures.push(...diffDicts(await gpu.stateDict(), ref.stateDict(), `${where}, after a step`));
    gpu.destroy();
    param.destroy();
    grad.destroy();
  }
  const err = await device.popErrorScope();
  if (err) failures.push(`validation: ${err.message}`);
  return { failures, roundedUp };
}
