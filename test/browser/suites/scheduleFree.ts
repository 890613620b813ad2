/**
 * ScheduleFreeAdamW paths the parity table does not take: eval() and train() on an optimizer
 * whose bind groups are not made yet (a fresh one after loadStateDict, or after rebindParams),
 * and param groups with their own options, against the CPU reference, bitwise.
 */
import { ScheduleFreeAdamW, type TensorRef } from '../../../src/index.ts';
import { ScheduleFreeAdamWReference } from '../../../src/reference/scheduleFreeOptimizer.ts';
import { randomArray, readViews, rng, trackedDevice, uploadBuffer } from './device.ts';

export interface ScheduleFreeFreshResult {
  /** Elements that differ from the reference (NaN payloads aside), per check. */
  mismatches: Record<string, number>;
  errors: string[];
}

const LENGTHS = [5, 256, 7, 1029];

function bitsDiffer(a: Float32Array, b: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

/** Views at mixed 16-byte residues in one buffer. */
function views(buffer: GPUBuffer): Required<TensorRef>[] {
  let at = 4;
  return LENGTHS.map((length, i) => {
    at += 4 * (i % 3);
    const v = { buffer, offset: at, length };
    at += 4 * length;
    return v;
  });
}

export async function scheduleFreeFresh(): Promise<ScheduleFreeFreshResult> {
  const { device } = await trackedDevice();
  const errors: string[] = [];
  device.pushErrorScope('validation');
  const size = 16 + 4 * LENGTHS.reduce((a, n) => a + n + 2, 0);
  const bufA = uploadBuffer(device, size, 'test/sf-params-a');
  const bufB = uploadBuffer(device, size, 'test/sf-params-b');
  const bufG = uploadBuffer(device, size, 'test/sf-grads');
  const pa = views(bufA);
  const pb = views(bufB);
  const gs = views(bufG);
  const next = rng(31);
  const init = LENGTHS.map((n) => randomArray(next, n));
  pa.forEach((p, i) =>
    device.queue.writeBuffer(p.buffer, p.offset, init[i] as Float32Array<ArrayBuffer>),
  );
  // two groups: the second with its own lr, weight decay, betas and warmup
  const groups = <T>(ps: T[]) => [
    { params: ps.slice(0, 2) },
    {
      params: ps.slice(2),
      lr: 0.02,
      weightDecay: 0.1,
      betas: [0.8, 0.99] as const,
      warmupSteps: 2,
    },
  ];
  const options = { lr: 0.01 };
  const a = new ScheduleFreeAdamW(device, groups(pa), {
    ...options,
    onError: (e) => errors.push(e.message),
  });
  const refParams = init.map((x) => new Float32Array(x));
  const ref = new ScheduleFreeAdamWReference(groups(refParams), options);
  const step = (opt: ScheduleFreeAdamW) => {
    const grads = LENGTHS.map((n) => randomArray(next, n));
    gs.forEach((g, i) =>
      device.queue.writeBuffer(g.buffer, g.offset, grads[i] as Float32Array<ArrayBuffer>),
    );
    opt.step(gs);
    ref.step(grads);
  };
  for (let k = 0; k < 3; k++) step(a);
  const mismatches: Record<string, number> = {};
  const check = async (name: string, ps: Required<TensorRef>[]) => {
    const got = await readViews(device, ps);
    mismatches[name] = got.reduce((n, g, i) => n + bitsDiffer(g, refParams[i] as Float32Array), 0);
  };
  await check('after 3 steps', pa);
  const dict = await a.stateDict();
  // B: a fresh optimizer over a copy of the params, loaded from A's state: no bind groups yet
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(bufA, 0, bufB, 0, size);
  device.queue.submit([enc.finish()]);
  const b = new ScheduleFreeAdamW(device, groups(pb), {
    ...options,
    onError: (e) => errors.push(e.message),
  });
  b.loadStateDict(dict);
  b.eval();
  ref.eval();
  await check('fresh optimizer, loadStateDict, eval()', pb);
  b.train();
  ref.train();
  await check('then train()', pb);
  step(b);
  await check('then a step', pb);
  // copy B's params into A's buffer and rebind B there: eval() then binds for the mode
  // pass alone (the params stand in for the grads)
  const enc2 = device.createCommandEncoder();
  enc2.copyBufferToBuffer(bufB, 0, bufA, 0, size);
  device.queue.submit([enc2.finish()]);
  b.rebindParams(pa);
  b.eval();
  ref.eval();
  await check('rebindParams, eval()', pa);
  b.train();
  ref.train();
  step(b);
  await check('train(), a step', pa);
  await b.checkErrors().catch((e: unknown) => errors.push(String(e)));
  a.destroy();
  b.destroy();
  [bufA, bufB, bufG].forEach((x) => x.destroy());
  const scoped = await device.popErrorScope();
  if (scoped) errors.push(`validation: ${scoped.message}`);
  return { mismatches, errors };
}
