/**
 * 16-bit state storage (src/options/half.ts): known bit patterns, every 16-bit pattern
 * round-tripping, and agreement with an independent nearest-value search on random f32s.
 */
import { describe, expect, it } from 'vitest';
import {
  bf16Bits,
  bf16FromBits,
  checkStateDtype,
  epsFloor,
  f16Bits,
  f16FromBits,
  f32Bits,
  f32FromBits,
  guardEps,
  roundToBf16,
  roundToF16,
  stateBytesPerElement,
} from '../../src/options/half.ts';
import { placeState } from '../../src/kernels/geometry.ts';

const hex = (n: number) => `0x${n.toString(16)}`;

describe('f16 rounding (round to nearest, ties to even)', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [0.1, 0x2e66], // 0.0999755859375
    [1 / 3, 0x3555],
    [65504, 0x7bff], // the largest finite f16
    [65519.99, 0x7bff], // below the midpoint 65520
    [65520, 0x7c00], // the midpoint rounds to even: inf
    [1e6, 0x7c00],
    [-1e6, 0xfc00],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [0, 0x0000],
    [-0, 0x8000],
    [1 + 2 ** -11, 0x3c00], // tie between 1 (even) and 1 + 2^-10: down
    [1 + 3 * 2 ** -11, 0x3c02], // tie between 1 + 2^-10 (odd) and 1 + 2^-9: up
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie: up
    [2 ** -14, 0x0400], // the smallest normal
    [1023 * 2 ** -24, 0x03ff], // the largest subnormal
    [2 ** -24, 0x0001], // the smallest subnormal
    [2 ** -25, 0x0000], // tie between 0 (even) and 2^-24: down
    [1.5 * 2 ** -25, 0x0001],
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 units of 2^-24: to even (2)
    [5 * 2 ** -25, 0x0002], // tie between 2 and 3 units: to even (2)
    [2 ** -26, 0x0000],
    [-(2 ** -24), 0x8001],
    [2 ** -14 * (1 - 2 ** -12), 0x0400], // rounds up from the subnormal range to normal
  ])('f16Bits(%f) = %i', (x, bits) => {
    expect(hex(f16Bits(x))).toBe(hex(bits));
  });

  it('turns NaN into a quiet NaN, keeping the sign', () => {
    expect(hex(f16Bits(NaN))).toBe(hex(0x7e00));
    expect(hex(f16Bits(f32FromBits(0x7f800001)))).toBe(hex(0x7e00)); // signalling → quiet
    expect(hex(f16Bits(f32FromBits(0xffc00000)))).toBe(hex(0xfe00));
    expect(Number.isNaN(roundToF16(NaN))).toBe(true);
  });

  it('round-trips every 16-bit pattern exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = f16FromBits(h);
      const nan = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (nan) {
        expect(Number.isNaN(v)).toBe(true);
        expect(f16Bits(v) & 0x7e00).toBe(0x7e00);
      } else if (f16Bits(v) !== h) {
        throw new Error(`${hex(h)} → ${v} → ${hex(f16Bits(v))}`);
      }
    }
  });

  it('agrees with a nearest-value search over the f16 table on 200k random f32 patterns', () => {
    // The positive finite f16 values in order (patterns 0 .. 0x7bff), exact in f64.
    const table = Array.from({ length: 0x7c00 }, (_, h) => f16FromBits(h));
    const nearest = (x: number): number => {
      const a = Math.abs(x);
      if (a >= 65520) return Math.sign(x) * Infinity;
      let lo = 0;
      let hi = table.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if ((table[mid] as number) <= a) lo = mid;
        else hi = mid;
      }
      const dl = a - (table[lo] as number);
      const dh = (table[hi] as number) - a;
      const pick = dl < dh || (dl === dh && lo % 2 === 0) ? lo : hi;
      return (x < 0 || Object.is(x, -0) ? -1 : 1) * (table[pick] as number);
    };
    let seed = 12345;
    for (let k = 0; k < 200_000; k++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      // Exponents around the f16 range (2^-30 .. 2^17) and every mantissa.
      const e = 97 + (seed % 48);
      const u = ((k & 1) << 31) | (e << 23) | (Math.imul(seed, 2654435761) >>> 9);
      const x = f32FromBits(u >>> 0);
      const want = nearest(x);
      if (!Object.is(roundToF16(x), want)) {
        throw new Error(`${hex(u >>> 0)} (${x}): got ${roundToF16(x)}, want ${want}`);
      }
    }
  });
});

describe('bf16 rounding (round to nearest, ties to even)', () => {
  it.each([
    [0x3f800000, 0x3f80], // 1
    [0x3dcccccd, 0x3dcd], // 0.1f: low half 0xcccd > 0x8000, up
    [0x3f808000, 0x3f80], // tie, 0x3f80 even: down
    [0x3f818000, 0x3f82], // tie, 0x3f81 odd: up
    [0x3f808001, 0x3f81], // above the tie: up
    [0x7f7fffff, 0x7f80], // the largest f32 rounds to inf
    [0x7f800000, 0x7f80], // inf
    [0xff800000, 0xff80], // -inf
    [0x80000000, 0x8000], // -0
    [0x00000001, 0x0000], // the smallest f32 subnormal
    [0x00008000, 0x0000], // tie to even: 0
    [0x00018000, 0x0002], // tie to even: 2
    [0x7fc00000, 0x7fc0], // quiet NaN
    [0x7f800001, 0x7fc0], // signalling NaN → quiet (not inf)
    [0xff800001, 0xffc0],
  ])('bf16Bits(f32 %i) = %i', (u, bits) => {
    expect(hex(bf16Bits(f32FromBits(u)))).toBe(hex(bits));
  });

  it('round-trips every 16-bit pattern exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = bf16FromBits(h);
      if (Number.isNaN(v)) {
        expect(bf16Bits(v) & 0x7fc0).toBe(0x7fc0);
      } else if (bf16Bits(v) !== h) {
        throw new Error(`${hex(h)} → ${v} → ${hex(bf16Bits(v))}`);
      }
    }
  });

  it('picks the nearer of the two bf16 neighbours on 200k random f32 patterns', () => {
    let seed = 99;
    for (let k = 0; k < 200_000; k++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const u = Math.imul(seed, 2654435761) >>> 0;
      const x = f32FromBits(u);
      if (!Number.isFinite(x)) continue;
      const lo = f32FromBits(u & 0xffff0000);
      const hi = f32FromBits(((u & 0xffff0000) + 0x10000) >>> 0);
      const dl = Math.abs(x - lo);
      // Above the largest finite bf16 the upper neighbour is 2^128, which overflows to inf.
      const dh = Math.abs((Number.isFinite(hi) ? hi : Math.sign(hi) * 2 ** 128) - x);
      const loEven = ((u >>> 16) & 1) === 0;
      const want = dl < dh || (dl === dh && loEven) ? lo : hi;
      if (!Object.is(roundToBf16(x), want)) {
        throw new Error(`${hex(u)}: got ${roundToBf16(x)}, want ${want}`);
      }
    }
  });

  it('keeps f32 bits of exactly representable values', () => {
    expect(hex(f32Bits(roundToBf16(-3.5)))).toBe(hex(0xc0600000));
  });
});

describe('stateDtype option, placement and the ε floor', () => {
  it('validates stateDtype with an error naming the option and the value', () => {
    expect(checkStateDtype(undefined, 'Adam')).toBe('f32');
    expect(checkStateDtype('bf16', 'Adam')).toBe('bf16');
    expect(() => checkStateDtype('fp16', 'Adam')).toThrow(
      /Adam: stateDtype must be one of "f32", "f16", "bf16", "q8", got "fp16"/,
    );
    expect(() => checkStateDtype(16, 'Adam')).toThrow(RangeError);
  });

  it('places 16-bit state at 2 bytes an element with the same element layout', () => {
    expect(stateBytesPerElement('f32')).toBe(4);
    expect(stateBytesPerElement('f16')).toBe(2);
    expect(stateBytesPerElement('bf16')).toBe(2);
    // param at byte 12: residue 3; stride ceil((3 + 5) / 4) * 4 = 8 elements; 3 arrays
    expect(placeState(5, 12, 3, 2)).toEqual({ stateOff: 3, stride: 8, bytes: 48 });
    expect(placeState(5, 12, 3, 4)).toEqual({ stateOff: 3, stride: 8, bytes: 96 });
    // 1001 elements at offset 0: stride 1004; two arrays of 1004 · 2 bytes
    expect(placeState(1001, 0, 2, 2).bytes).toBe(4016);
  });

  it('raises ε to the 16-bit floor only where it is smaller', () => {
    expect(epsFloor('f32', false)).toBe(0);
    expect(epsFloor('f16', false)).toBe(2 ** -12);
    expect(epsFloor('f16', true)).toBe(2 ** -24);
    expect(epsFloor('bf16', false)).toBe(2 ** -63);
    expect(guardEps({ eps: 1e-8, lr: 1 }, 'f16', false)).toEqual({ eps: 2 ** -12, lr: 1 });
    expect(guardEps({ eps: 1e-3 }, 'f16', false)).toEqual({ eps: 1e-3 });
    expect(guardEps({ eps: 1e-8 }, 'f32', false)).toEqual({ eps: 1e-8 });
    expect(guardEps({ eps: 1e-8 }, 'bf16', false)).toEqual({ eps: 1e-8 });
    expect(guardEps({ lr: 1 }, 'f16', false)).toEqual({ lr: 1 });
  });
});

describe('rounding edge cases the mutation run found unchecked', () => {
  it('bf16 keeps a NaN whose mantissa is all ones a NaN (round-to-nearest would carry into -0)', () => {
    for (const u of [0x7fffffff, 0xffffffff, 0x7fc00001]) {
      const x = f32FromBits(u);
      expect(Number.isNaN(x)).toBe(true);
      expect(Number.isNaN(roundToBf16(x)), u.toString(16)).toBe(true);
    }
  });
  it('guardEps leaves scalars without eps untouched (no eps key added)', () => {
    expect(guardEps({ lr: 1 }, 'f16', false)).toStrictEqual({ lr: 1 });
    expect(guardEps({ lr: 1 }, 'f32', false)).toStrictEqual({ lr: 1 });
  });
});
