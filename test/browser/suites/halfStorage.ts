/**
 * 16-bit state storage on the GPU, checked bit for bit against src/options/half.ts:
 * - packing: SGD's first momentum step stores buf = g, so the state dict shows how the shader
 *   rounded each g (ties to even, subnormals, overflow to inf, NaN);
 * - unpacking: every 16-bit pattern is loaded as momentum_buffer and carried through one step
 *   with momentum 1 and a zero gradient (buf·1 + 0), on the GPU and on the reference.
 * Odd lengths and a param offset of 4 bytes put elements on the vec4 body and the scalar path.
 */
import { SGD, type StateDict } from '../../../src/index.ts';
import type { StateDtype } from '../../../src/options/stateDict.ts';
import { SGDReference } from '../../../src/reference/index.ts';
import {
  bf16FromBits,
  f16FromBits,
  f32FromBits,
  stateRounding,
} from '../../../src/options/half.ts';
import { trackedDevice } from './device.ts';

export interface HalfStorageResult {
  /** Elements where the GPU's stored value differs from the reference rounding. */
  packMismatches: string[];
  /** Patterns whose value after buf·1 + 0 differs between GPU and reference. */
  unpackMismatches: string[];
  /**
   * Patterns skipped because their value is an f32 subnormal (bf16 only): WGSL lets f32
   * arithmetic flush those to zero (SwiftShader does), for f32 state just the same.
   */
  subnormalSkipped: number;
  checked: { pack: number; unpack: number };
  errors: string[];
}

/** f32 values around every rounding boundary of f16 and bf16. */
function specials(): Float32Array<ArrayBuffer> {
  const out: number[] = [
    0,
    -0,
    Infinity,
    -Infinity,
    NaN,
    1,
    -1,
    0.1,
    1 / 3,
    65504,
    65519.99,
    65520,
    1e6,
  ];
  for (const u of [
    0x3f808000, 0x3f818000, 0x3f808001, 0x3f807fff, 0x7f7fffff, 0x7f7f8000, 0x7f7f7fff, 0x7f800001,
    0xff800001, 0x00000001, 0x00008000, 0x00018000, 0x00800000, 0x33000000, 0x33000001, 0x33400000,
    0x33c00000, 0x387fc000, 0x387fe000, 0x387ff000, 0x38800000, 0x3c002000, 0x3c006000, 0x3c001fff,
    0x477fe000, 0x477fefff, 0x477ff000,
  ]) {
    out.push(f32FromBits(u), -f32FromBits(u));
  }
  // f16 ties and near-ties in every binade from 2^-25 to 2^15.
  for (let e = -25; e <= 15; e++) {
    for (const m of [0.5, 1.5, 2.5, 1023.5, 511.5]) out.push(2 ** e * (1 + m / 1024));
  }
  return Float32Array.from(out);
}

export async function halfStorage(stateDtype: StateDtype): Promise<HalfStorageResult> {
  const { device } = await trackedDevice();
  const errors: string[] = [];
  device.pushErrorScope('validation');
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const round = stateRounding(stateDtype);
  const show = (x: number) => (Object.is(x, -0) ? '-0' : String(x));

  // Packing: buf = g on the first step.
  const g = specials();
  const n = g.length;
  const param = device.createBuffer({ label: 'test/half-param', size: 4 * n + 4, usage });
  const grad = device.createBuffer({ label: 'test/half-grad', size: 4 * n + 4, usage });
  device.queue.writeBuffer(grad, 4, g);
  const refs = {
    param: { buffer: param, offset: 4, length: n },
    grad: { buffer: grad, offset: 4, length: n },
  };
  const packer = new SGD(device, [refs.param], {
    lr: 0,
    momentum: 0.9,
    stateDtype,
    onError: (e) => errors.push(e.message),
  });
  packer.step([refs.grad]);
  const stored = (await packer.stateDict()).state[0]?.momentum_buffer ?? new Float32Array(n);
  const packMismatches: string[] = [];
  g.forEach((x, i) => {
    const want = round(x);
    const got = stored[i] as number;
    if (!Object.is(got, want) && !(Number.isNaN(got) && Number.isNaN(want))) {
      packMismatches.push(`g=${show(x)}: gpu ${show(got)}, want ${show(want)}`);
    }
  });
  packer.destroy();

  // Unpacking: every 16-bit pattern, carried through buf·1 + 0.
  const widen = stateDtype === 'f16' ? f16FromBits : bf16FromBits;
  const m = 0x10000 + 3;
  const values = Float32Array.from({ length: m }, (_, h) => widen(h & 0xffff));
  const p2 = device.createBuffer({ label: 'test/half-param2', size: 4 * m + 4, usage });
  const g2 = device.createBuffer({ label: 'test/half-grad2', size: 4 * m + 4, usage });
  const view = { buffer: p2, offset: 4, length: m };
  const opts = { lr: 0, momentum: 1, stateDtype } as const;
  const opt = new SGD(device, [view], { ...opts, onError: (e) => errors.push(e.message) });
  const ref = new SGDReference([new Float32Array(m)], opts);
  const dict: StateDict = await opt.stateDict();
  const state = dict.state[0] as { step: number; momentum_buffer?: Float32Array };
  state.step = 1;
  state.momentum_buffer = values;
  opt.loadStateDict(dict);
  ref.loadStateDict(dict);
  opt.step([{ buffer: g2, offset: 4, length: m }]);
  ref.step([new Float32Array(m)]);
  const gpu = (await opt.stateDict()).state[0]?.momentum_buffer ?? new Float32Array(m);
  const want = ref.stateDict().state[0]?.momentum_buffer ?? new Float32Array(m);
  const unpackMismatches: string[] = [];
  let subnormalSkipped = 0;
  for (let h = 0; h < m; h++) {
    const a = gpu[h] as number;
    const b = want[h] as number;
    const v = Math.abs(values[h] as number);
    if (v > 0 && v < 2 ** -126) {
      subnormalSkipped++;
      continue;
    }
    if (!Object.is(a, b) && !(Number.isNaN(a) && Number.isNaN(b))) {
      if (unpackMismatches.length < 20)
        unpackMismatches.push(
          `pattern 0x${(h & 0xffff).toString(16)}: gpu ${show(a)}, ref ${show(b)}`,
        );
      else unpackMismatches[19] = '…';
    }
  }
  await opt.checkErrors().catch((e: unknown) => errors.push(String(e)));
  opt.destroy();
  [param, grad, p2, g2].forEach((b) => b.destroy());
  const scoped = await device.popErrorScope();
  if (scoped) errors.push(`validation: ${scoped.message}`);
  return {
    packMismatches,
    unpackMismatches,
    subnormalSkipped,
    checked: { pack: n, unpack: m },
    errors,
  };
}
