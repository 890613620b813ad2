/**
 * The checkpoint byte layout (src/options/checkpoint.ts) written out by hand, and every way
 * deserializeStateDict rejects a buffer, with its whole message.
 */
import { describe, expect, it } from 'vitest';
import { deserializeStateDict, serializeStateDict } from '../../src/options/checkpoint.ts';
import type { StateDict } from '../../src/options/stateDict.ts';

/** A checkpoint as the format describes it, from a header object and the data floats. */
function build(header: unknown, floats: number[] = [], magic = 'WGPUOPT1'): ArrayBuffer {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((12 + json.length) / 4) * 4;
  const out = new ArrayBuffer(dataStart + 4 * floats.length);
  new Uint8Array(out).set(new TextEncoder().encode(magic), 0);
  new DataView(out).setUint32(8, json.length, true);
  new Uint8Array(out).set(json, 12);
  floats.forEach((f, i) => new DataView(out).setFloat32(dataStart + 4 * i, f, true));
  return out;
}

const dict: StateDict = {
  format: 'webgpu-optim/state-dict',
  version: 1,
  algorithm: 'adam',
  stateDtype: 'f32',
  state: [
    { step: 3, exp_avg: new Float32Array([1.5, -2]), exp_avg_sq: new Float32Array([0.25, 4]) },
    { step: 0 },
    { step: 7, exp_avg: new Float32Array([3]), exp_avg_sq: new Float32Array([9]) },
  ],
  paramGroups: [{ params: [0, 1, 2], lr: 0.1 }],
};

const fail = (msg: string) => `deserializeStateDict: ${msg}`;

describe('checkpoint byte layout', () => {
  it('is magic, u32 LE header length, JSON header, zero padding to 4, LE f32 arrays', () => {
    const bytes = serializeStateDict(dict);
    const header = {
      ...dict,
      state: [
        { step: 3, arrays: { exp_avg: [0, 2], exp_avg_sq: [2, 2] } },
        { step: 0, arrays: {} },
        { step: 7, arrays: { exp_avg: [4, 1], exp_avg_sq: [5, 1] } },
      ],
    };
    const expected = build(header, [1.5, -2, 0.25, 4, 3, 9]);
    expect(new Uint8Array(bytes)).toEqual(new Uint8Array(expected));
    // the padding bytes are zero and the data starts on a multiple of 4
    const len = new DataView(bytes).getUint32(8, true);
    const start = Math.ceil((12 + len) / 4) * 4;
    expect(start % 4).toBe(0);
    expect([...new Uint8Array(bytes, 12 + len, start - 12 - len)].every((b) => b === 0)).toBe(true);
    expect(deserializeStateDict(bytes)).toEqual(dict);
  });

  it('reads a hand-built buffer, header lengths of every residue mod 4', () => {
    for (let pad = 0; pad < 4; pad++) {
      const header = {
        ...dict,
        note: 'x'.repeat(pad),
        state: [{ step: 2, arrays: { exp_avg: [1, 2] } }],
      };
      const back = deserializeStateDict(build(header, [9, 1.25, -3]));
      expect(back.state).toEqual([{ step: 2, exp_avg: new Float32Array([1.25, -3]) }]);
      expect((back as unknown as { note: string }).note).toBe('x'.repeat(pad));
    }
  });

  it('accepts an array that ends exactly at the end of the data', () => {
    const back = deserializeStateDict(
      build({ state: [{ step: 1, arrays: { sum: [0, 2] } }] }, [1, 2]),
    );
    expect(back.state[0]?.sum).toEqual(new Float32Array([1, 2]));
    const empty = deserializeStateDict(
      build({ state: [{ step: 1, arrays: { sum: [2, 0] } }] }, [1, 2]),
    );
    expect(empty.state[0]?.sum).toEqual(new Float32Array([]));
  });
});

describe('deserializeStateDict rejects', () => {
  it('what is not an ArrayBuffer', () => {
    expect(() => deserializeStateDict(new Uint8Array(16) as unknown as ArrayBuffer)).toThrow(
      fail('expected an ArrayBuffer, got 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0'),
    );
  });

  it('fewer than 12 bytes, but not 12', () => {
    expect(() => deserializeStateDict(new ArrayBuffer(11))).toThrowError(
      new Error(fail('11 bytes is too short for a checkpoint')),
    );
    // 12 bytes with the magic and an empty header: past the length check, then bad JSON
    const twelve = build({}).slice(0, 12);
    new DataView(twelve).setUint32(8, 0, true);
    expect(() => deserializeStateDict(twelve)).toThrow(
      /^deserializeStateDict: header is not valid JSON/,
    );
  });

  it('another magic, quoted', () => {
    expect(() => deserializeStateDict(build({ state: [] }, [], 'WGPUOPT2'))).toThrowError(
      new Error(fail('not a webgpu-optim checkpoint (magic "WGPUOPT2", expected "WGPUOPT1")')),
    );
  });

  it('a header length past the end, and one that ends exactly at the end', () => {
    const b = build({ state: [] });
    const len = new DataView(b).getUint32(8, true);
    const exact = b.slice(0, 12 + len);
    expect(deserializeStateDict(exact).state).toEqual([]);
    new DataView(b).setUint32(8, b.byteLength - 11, true);
    expect(() => deserializeStateDict(b)).toThrowError(
      new Error(fail(`header of ${b.byteLength - 11} bytes runs past the end of the buffer`)),
    );
  });

  it('a header that ends at the end of the buffer before its padding: no data, no crash', () => {
    for (let pad = 0; pad < 4; pad++) {
      const b = build({ state: [], note: 'x'.repeat(pad) });
      const len = new DataView(b).getUint32(8, true);
      const cut = b.slice(0, 12 + len); // the zero padding to 4 bytes is missing
      expect(deserializeStateDict(cut).state).toEqual([]);
      const header = { state: [{ step: 1, arrays: { sum: [0, 1] } }], note: 'x'.repeat(pad) };
      const one = build(header);
      const short = one.slice(0, 12 + new DataView(one).getUint32(8, true));
      expect(() => deserializeStateDict(short)).toThrowError(
        new Error(fail('state[0].sum lies at [0, 1) but the data holds 0 floats')),
      );
    }
  });

  it('a header that is not JSON, with the parser message', () => {
    const b = build({ state: [] });
    new Uint8Array(b)[12] = 0x7d; // '}'
    expect(() => deserializeStateDict(b)).toThrow(
      /^deserializeStateDict: header is not valid JSON \(.+\)$/,
    );
  });

  it('a header whose state is not an array', () => {
    expect(() => deserializeStateDict(build({ state: {} }))).toThrowError(
      new Error(fail('header.state must be an array')),
    );
    expect(() => deserializeStateDict(build({}))).toThrowError(
      new Error(fail('header.state must be an array')),
    );
  });

  it.each([
    [
      'a fractional offset',
      [0.5, 1],
      'state[0].sum lies at [0.5, 1.5) but the data holds 2 floats',
    ],
    ['a fractional length', [0, 1.5], 'state[0].sum lies at [0, 1.5) but the data holds 2 floats'],
    ['a negative offset', [-1, 1], 'state[0].sum lies at [-1, 0) but the data holds 2 floats'],
    ['a negative length', [1, -1], 'state[0].sum lies at [1, 0) but the data holds 2 floats'],
    ['a range past the data', [1, 2], 'state[0].sum lies at [1, 3) but the data holds 2 floats'],
  ])('%s', (_, range, msg) => {
    expect(() =>
      deserializeStateDict(build({ state: [{ step: 1, arrays: { sum: range } }] }, [1, 2])),
    ).toThrowError(new Error(fail(msg)));
  });

  it('names the tensor index of a bad range', () => {
    const header = {
      state: [
        { step: 1, arrays: { sum: [0, 1] } },
        { step: 1, arrays: { sum: [1, 5] } },
      ],
    };
    expect(() => deserializeStateDict(build(header, [1, 2]))).toThrowError(
      new Error(fail('state[1].sum lies at [1, 6) but the data holds 2 floats')),
    );
  });
});
