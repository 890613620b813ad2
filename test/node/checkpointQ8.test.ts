/**
 * Binary checkpoints of 8-bit state (stateDtype 'q8'): the layout of codes and absmax written
 * out by hand, save → serialize → deserialize → load → continue bitwise on the reference with
 * tensors on both sides of min8bitSize, and every way a damaged 8-bit range is rejected.
 */
import { describe, expect, it } from 'vitest';
import { deserializeStateDict, serializeStateDict } from '../../src/options/checkpoint.ts';
import { dequantize, quantize } from '../../src/options/q8.ts';
import type { StateDict } from '../../src/options/stateDict.ts';
import { ReferenceOptimizer } from '../../src/reference/index.ts';
import type { Algorithm } from '../../src/options/types.ts';
import { rng } from '../browser/suites/device.ts';

function random(next: () => number, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (2 * next() - 1) * scale);
}

/** A checkpoint as the format describes it: header object, data floats, then code bytes. */
function build(header: unknown, floats: number[], codes: number[]): ArrayBuffer {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((12 + json.length) / 4) * 4;
  const out = new ArrayBuffer(dataStart + 4 * floats.length + codes.length);
  new Uint8Array(out).set(new TextEncoder().encode('WGPUOPT1'), 0);
  new DataView(out).setUint32(8, json.length, true);
  new Uint8Array(out).set(json, 12);
  floats.forEach((f, i) => new DataView(out).setFloat32(dataStart + 4 * i, f, true));
  new Uint8Array(out).set(codes, dataStart + 4 * floats.length);
  return out;
}

const fail = (msg: string) => `deserializeStateDict: ${msg}`;

// 5000 (20 blocks, the last partial) and 4096 (16 full blocks) are stored in 8 bits; 4095 is one
// short of min8bitSize's default and 300 well under it: both keep f32 state.
const LENGTHS = [5000, 4095, 300, 4096];
const QUANTIZED = [true, false, false, true];

function run(algorithm: Algorithm, options: Record<string, unknown>, params: Float32Array[]) {
  return new ReferenceOptimizer(algorithm, params, { ...options, stateDtype: 'q8' } as never);
}

function stepAll(opt: ReferenceOptimizer<Algorithm>, seed: number, steps: number) {
  const next = rng(seed);
  for (let s = 0; s < steps; s++) {
    opt.step(LENGTHS.map((n, k) => random(next, n, 10 ** (-k - s))));
  }
}

describe("binary checkpoints of 'q8' state", () => {
  it.each([
    ['adam', { lr: 0.01, amsgrad: true }],
    ['sgd', { lr: 0.01, momentum: 0.9, nesterov: true }],
    ['nadam', { lr: 0.01 }], // carries mu_product
    ['rmsprop', { lr: 0.01, centered: true, momentum: 0.5 }],
  ] as const)('%s: save, serialize, deserialize, load and continue bitwise', (algorithm, o) => {
    const init = LENGTHS.map((n, k) => random(rng(k + 1), n));
    const straight = init.map((a) => new Float32Array(a));
    const a = run(algorithm, o, straight);
    stepAll(a, 10, 3);
    const dict = a.stateDict();
    expect(dict.state.map((s) => s.q8 !== undefined)).toEqual(QUANTIZED);
    const bytes = serializeStateDict(dict);
    const back = deserializeStateDict(bytes);
    // Codes and absmax come back bitwise, and the f32 arrays as the values they read back as.
    expect(back).toEqual(dict);

    const resumed = init.map((a) => new Float32Array(a));
    const b = run(algorithm, o, resumed);
    stepAll(b, 10, 3);
    const c = run(algorithm, o, resumed); // a fresh optimizer over b's params
    c.loadStateDict(back);
    stepAll(a, 20, 3);
    stepAll(c, 20, 3);
    expect(resumed).toEqual(straight);
    expect(c.stateDict()).toEqual(a.stateDict());
  });

  it('stores an 8-bit array as 1 byte per element plus 4 per block, not 5 per element', () => {
    const a = run(
      'adam',
      { lr: 0.01 },
      LENGTHS.map((n) => new Float32Array(n)),
    );
    stepAll(a, 3, 1);
    const bytes = serializeStateDict(a.stateDict());
    const headerLength = new DataView(bytes).getUint32(8, true);
    const data = bytes.byteLength - Math.ceil((12 + headerLength) / 4) * 4;
    // exp_avg and exp_avg_sq of each tensor: 5000 codes + 20 absmax, 4095 f32, 300 f32, 4096
    // codes + 16 absmax.
    const perArray = 5000 + 4 * 20 + 4 * 4095 + 4 * 300 + 4096 + 4 * 16;
    expect(data).toBe(2 * perArray);
  });

  it('lays out codes after every float, absmax among the floats, offsets from the data start', () => {
    // One 8-bit tensor of 3 elements (min8bitSize 0), one f32 tensor of 1 element.
    const q = { codes: new Uint8Array([255, 127, 0]), absmax: new Float32Array([2]) };
    const dict: StateDict = {
      format: 'webgpu-optim/state-dict',
      version: 1,
      algorithm: 'sgd',
      stateDtype: 'q8',
      state: [
        { step: 2, momentum_buffer: dequantize(q, true), q8: { momentum_buffer: q } },
        { step: 2, momentum_buffer: new Float32Array([0.5]) },
      ],
      paramGroups: [{ params: [0, 1], lr: 0.1 }],
    };
    const header = {
      ...dict,
      state: [
        {
          step: 2,
          arrays: {},
          // floats: absmax at 0, then tensor 1's array at 1; the codes at byte 4 · 2 = 8
          q8: { momentum_buffer: { codes: [8, 3], absmax: [0, 1] } },
        },
        { step: 2, arrays: { momentum_buffer: [1, 1] } },
      ],
    };
    const bytes = serializeStateDict(dict);
    expect(new Uint8Array(bytes)).toEqual(new Uint8Array(build(header, [2, 0.5], [255, 127, 0])));
    const back = deserializeStateDict(bytes);
    expect(back).toEqual(dict);
    // signed map: code 255 is 1.0, 127 is 0 and 0 is the most negative entry, the mean of the
    // last two of linspace(0.1, 1, 65) negated: -(1 - 0.9 / 128) = -0.99296875, times 2
    expect(back.state[0]?.momentum_buffer?.[0]).toBe(2);
    expect(back.state[0]?.momentum_buffer?.[1]).toBe(0);
    expect(back.state[0]?.momentum_buffer?.[2]).toBeCloseTo(-1.9859375, 6);
  });

  it('rebuilds an 8-bit array with the signed or unsigned map by its name', () => {
    const values = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i) * 3);
    const squares = values.map((v) => v * v);
    const qa = quantize(values, true);
    const qs = quantize(squares, false);
    const dict: StateDict = {
      format: 'webgpu-optim/state-dict',
      version: 1,
      algorithm: 'adam',
      stateDtype: 'q8',
      state: [
        {
          step: 1,
          exp_avg: dequantize(qa, true),
          exp_avg_sq: dequantize(qs, false),
          q8: { exp_avg: qa, exp_avg_sq: qs },
        },
      ],
      paramGroups: [{ params: [0], lr: 0.1 }],
    };
    const back = deserializeStateDict(serializeStateDict(dict));
    expect(back.state[0]?.exp_avg).toEqual(dequantize(qa, true));
    expect(back.state[0]?.exp_avg_sq).toEqual(dequantize(qs, false));
  });

  it('a q8 optimizer loads an f32 checkpoint (quantising) and f32 one rejects a q8 checkpoint', () => {
    const f32 = new ReferenceOptimizer('adam', [new Float32Array(5000)], { lr: 0.01 });
    f32.step([random(rng(4), 5000)]);
    const plain = deserializeStateDict(serializeStateDict(f32.stateDict()));
    const q = run('adam', { lr: 0.01 }, [new Float32Array(5000)]);
    q.loadStateDict(plain);
    const exp = plain.state[0]?.exp_avg as Float32Array;
    expect(q.stateDict().state[0]?.q8?.exp_avg).toEqual(quantize(exp, true));
    const back = deserializeStateDict(serializeStateDict(q.stateDict()));
    expect(() => f32.loadStateDict(back)).toThrow(
      /invalid state dict: stateDtype is "q8" but this optimizer stores "f32"/,
    );
  });
});

describe('serializeStateDict', () => {
  it('refuses an 8-bit entry without typed codes and absmax, naming it', () => {
    const dict: StateDict = {
      format: 'webgpu-optim/state-dict',
      version: 1,
      algorithm: 'sgd',
      stateDtype: 'q8',
      state: [
        {
          step: 1,
          momentum_buffer: new Float32Array(2),
          q8: { momentum_buffer: { codes: [127, 127] as never, absmax: new Float32Array(1) } },
        },
      ],
      paramGroups: [{ params: [0], lr: 0.1 }],
    };
    expect(() => serializeStateDict(dict)).toThrowError(
      new Error(
        'serializeStateDict: state[0].q8.momentum_buffer must hold codes (a Uint8Array) and absmax (a Float32Array)',
      ),
    );
  });
});

describe('deserializeStateDict rejects damaged 8-bit ranges', () => {
  const base = {
    format: 'webgpu-optim/state-dict',
    version: 1,
    algorithm: 'sgd',
    stateDtype: 'q8',
    paramGroups: [{ params: [0], lr: 0.1 }],
  };
  const withQ8 = (q8: unknown, arrays: unknown = {}) => ({
    ...base,
    state: [{ step: 1, arrays, q8 }],
  });
  // data: 2 floats (8 bytes) then 3 code bytes: 11 bytes in all

  it('reads a well-formed hand-built one', () => {
    const back = deserializeStateDict(
      build(withQ8({ momentum_buffer: { codes: [8, 3], absmax: [1, 1] } }), [9, 4], [255, 0, 127]),
    );
    expect(back.state[0]?.q8?.momentum_buffer).toEqual({
      codes: new Uint8Array([255, 0, 127]),
      absmax: new Float32Array([4]),
    });
    expect(back.state[0]?.momentum_buffer?.[0]).toBe(4);
    expect(back.state[0]?.momentum_buffer?.[2]).toBe(0);
  });

  it.each([
    [
      'codes past the end',
      { momentum_buffer: { codes: [9, 3], absmax: [0, 1] } },
      'state[0].q8.momentum_buffer.codes lies at [9, 12) but the data holds 11 bytes',
    ],
    [
      'a negative code offset',
      { momentum_buffer: { codes: [-1, 3], absmax: [0, 1] } },
      'state[0].q8.momentum_buffer.codes lies at [-1, 2) but the data holds 11 bytes',
    ],
    [
      'a fractional code length',
      { momentum_buffer: { codes: [8, 2.5], absmax: [0, 1] } },
      'state[0].q8.momentum_buffer.codes lies at [8, 10.5) but the data holds 11 bytes',
    ],
    [
      'codes that are not a range',
      { momentum_buffer: { codes: 'x', absmax: [0, 1] } },
      'state[0].q8.momentum_buffer.codes is "x", not [offset, length] but the data holds 11 bytes',
    ],
    [
      'absmax past the floats',
      { momentum_buffer: { codes: [8, 3], absmax: [2, 1] } },
      'state[0].q8.momentum_buffer.absmax lies at [2, 3) but the data holds 2 floats',
    ],
    [
      'absmax missing',
      { momentum_buffer: { codes: [8, 3] } },
      'state[0].q8.momentum_buffer.absmax is undefined, not [offset, length] but the data holds 2 floats',
    ],
    [
      'absmax of the wrong block count',
      { momentum_buffer: { codes: [8, 3], absmax: [0, 2] } },
      'state[0].q8.momentum_buffer.absmax holds 2 blocks, but 3 codes need 1',
    ],
    [
      'an entry that is not an object',
      { momentum_buffer: 7 },
      'state[0].q8.momentum_buffer must be { codes, absmax }, got 7',
    ],
    ['a q8 that is not an object', [1], 'state[0].q8 must be an object, got [1]'],
  ])('%s', (_, q8, msg) => {
    expect(() => deserializeStateDict(build(withQ8(q8), [9, 4], [255, 0, 127]))).toThrowError(
      new Error(fail(msg)),
    );
  });

  it('an array stored both as f32 and as codes', () => {
    const header = withQ8(
      { momentum_buffer: { codes: [8, 3], absmax: [0, 1] } },
      { momentum_buffer: [0, 2] },
    );
    expect(() => deserializeStateDict(build(header, [9, 4], [255, 0, 127]))).toThrowError(
      new Error(fail('state[0].momentum_buffer is stored both as f32 and as 8-bit codes')),
    );
  });
});
