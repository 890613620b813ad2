/**
 * recoverQuantized (src/options/q8Recover.ts): the 8-bit codes behind values an 8-bit array
 * read back as, where quantising them again would not give the same codes.
 */
import { describe, expect, it } from 'vitest';
import { dequantize, Q8_BLOCK, quantize, SIGNED_MAP } from '../../src/options/q8.ts';
import { recoverQuantized } from '../../src/options/q8Recover.ts';
import { rng } from '../browser/suites/device.ts';

describe('recoverQuantized', () => {
  it('gives back the codes and absmax of read-back values, negative-max blocks included', () => {
    const next = rng(21);
    let negativeMax = 0;
    for (let t = 0; t < 300; t++) {
      // 2 blocks and a partial third; magnitudes over 8 decades
      const x = Float32Array.from(
        { length: 2 * Q8_BLOCK + 40 },
        () => (2 * next() - 1) * 10 ** (-6 * next()) * 10 ** (8 * next() - 4),
      );
      const q = quantize(x, true);
      const back = dequantize(q, true);
      const again = quantize(back, true);
      if (again.absmax.some((a, b) => a !== q.absmax[b])) negativeMax++;
      const r = recoverQuantized(back, true);
      expect(r.absmax).toEqual(q.absmax);
      expect(r.codes).toEqual(q.codes);
    }
    // quantising again would have failed in most of these arrays (a block's largest |v| is
    // negative about half the time)
    expect(negativeMax).toBeGreaterThan(150);
  });

  it('a block of one negative value: absmax back from map[0]·a', () => {
    // quantize: absmax 2.5, code 0, read back as f32(map[0]·2.5); quantising that again finds
    // absmax 2.4824..., recovering finds 2.5
    const back = dequantize(quantize(new Float32Array(Q8_BLOCK).fill(-2.5), true), true);
    expect(back[0]).toBe(Math.fround((SIGNED_MAP[0] as number) * 2.5));
    expect(quantize(back, true).absmax[0]).not.toBe(2.5);
    const r = recoverQuantized(back, true);
    expect(r.absmax[0]).toBe(2.5);
    expect(r.codes.every((c) => c === 0)).toBe(true);
  });

  it('is quantize for unsigned arrays and for values that never were 8-bit', () => {
    const next = rng(5);
    const x = Float32Array.from({ length: 600 }, () => next() - 0.7);
    expect(recoverQuantized(x, true)).toEqual(quantize(x, true));
    const u = Float32Array.from({ length: 600 }, () => next());
    expect(recoverQuantized(u, false)).toEqual(quantize(u, false));
    for (const poison of [NaN, Infinity, -Infinity]) {
      const p = Float32Array.from({ length: 300 }, (_, i) => (i === 3 ? poison : -i));
      expect(recoverQuantized(p, true)).toEqual(quantize(p, true));
    }
  });
});
