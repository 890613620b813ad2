/**
 * The 8-bit block-wise quantiser (src/options/q8.ts) and stateDtype 'q8' on the host: the maps
 * against an independent recomputation of bitsandbytes' create_dynamic_map, codes and values of
 * edge cases derived by hand, the nearest-entry and round-trip properties, min8bitSize on the
 * reference and the GPU classes (fake device), the algorithms that refuse 'q8', and state dict
 * validation of `q8` entries.
 */
import { describe, expect, it } from 'vitest';
import { Adam, LAMB, SGD, ScheduleFreeAdamW } from '../../src/index.ts';
import {
  blockAbsmax,
  dequantize,
  MIN_8BIT_SIZE,
  q8Code,
  q8RoundsUp,
  q8Value,
  Q8_BLOCK,
  Q8_REFUSED,
  Q8_ROUNDED_UP,
  quantize,
  SIGNED_MAP,
  UNSIGNED_MAP,
} from '../../src/options/q8.ts';
import { recoverQuantized } from '../../src/options/q8Recover.ts';
import type { StateDict } from '../../src/options/stateDict.ts';
import {
  AdadeltaReference,
  AdamReference,
  LAMBReference,
  type ReferenceOptimizer,
  ScheduleFreeAdamWReference,
  SGDReference,
} from '../../src/reference/index.ts';
import { fakeDevice } from './fakeDevice.ts';
import { rng } from '../browser/suites/device.ts';

const bits = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0] as number;
/** The distance between two f32 values of the same sign, in units in the last place. */
const ulps = (a: number, b: number) => Math.abs(bits(a) - bits(b));

/**
 * bitsandbytes' create_dynamic_map(signed, max_exponent_bits=7, total_bits=8) in float64,
 * written from the formula (bitsandbytes/functional.py): for i = 0..6, the means of
 * consecutive points of linspace(0.1, 1, n_i) scaled by 10^(i-6), where n_i = 2^i + 1 signed
 * (each mean also negated) or 2^(i+1) + 1 unsigned; then 0 and 1.0; sorted. The mean of
 * linspace points j and j+1 is 0.1 + (j + 0.5)·0.9/(n_i − 1).
 */
function dynamicMap(signed: boolean): number[] {
  const scale = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];
  const data: number[] = [];
  for (let i = 0; i < 7; i++) {
    const n = signed ? 2 ** i + 1 : 2 ** (i + 1) + 1;
    for (let j = 0; j < n - 1; j++) {
      const mean = 0.1 + ((j + 0.5) * 0.9) / (n - 1);
      data.push((scale[i] as number) * mean);
      if (signed) data.push(-(scale[i] as number) * mean);
    }
  }
  data.push(0, 1);
  return data.sort((a, b) => a - b);
}

/** The decision threshold between entries k and k + 1: their mean, rounded once to f32. */
const mid = (map: Float32Array, k: number) =>
  Math.fround(((map[k] as number) + (map[k + 1] as number)) / 2);

describe('the dynamic maps', () => {
  it.each([
    ['signed', SIGNED_MAP, true, 127],
    ['unsigned', UNSIGNED_MAP, false, 0],
  ] as const)('%s: 256 sorted distinct f32, 0 and 1.0 where expected', (_, map, signed, zero) => {
    expect(map).toHaveLength(256);
    for (let k = 1; k < 256; k++) expect(map[k] as number).toBeGreaterThan(map[k - 1] as number);
    expect(Object.is(map[zero], 0)).toBe(true);
    expect(map[255]).toBe(1);
    // signed: 127 negatives, 0, 127 positives below 1.0, then 1.0; unsigned: 0, then positives
    expect(map.filter((v) => v < 0)).toHaveLength(signed ? 127 : 0);
    for (const v of map) expect(Math.fround(v)).toBe(v);
  });

  it.each([
    ['signed', SIGNED_MAP, true],
    ['unsigned', UNSIGNED_MAP, false],
  ] as const)(
    '%s: within 2 f32 ULPs of a float64 recomputation of create_dynamic_map',
    (_, map, signed) => {
      // bitsandbytes builds the map in torch float32: linspace's step, product and sum, the
      // mean's sum and the scaling each round (≤ ½ ULP relative apiece), and the scale 10^(i-6)
      // itself is rounded to f32. The torch map is within 2 ULPs of the correctly rounded
      // value (measured: signed 166 entries equal, 90 one ULP away; unsigned 157 equal, 95 one,
      // 4 two), well inside the ~3-ULP bound of those roundings. The pure-f64 value rounded once
      // is a different function, so 1 ULP cannot be asked of it.
      const exact = dynamicMap(signed);
      expect(exact).toHaveLength(256);
      let worst = 0;
      exact.forEach((v, k) => {
        const d = ulps(Math.fround(v), map[k] as number);
        worst = Math.max(worst, d);
        expect(d, `map[${k}]: ${map[k]} vs float64 ${v}`).toBeLessThanOrEqual(2);
      });
      expect(worst).toBeGreaterThan(0); // torch's f32 rounding shows: the test can tell them apart
    },
  );

  it('the signed extremes: -0.99296875 (no -1.0) and 1.0; the smallest magnitudes ≈ 5.5e-7', () => {
    // i = 6: n = 65, step 0.9/64; the last mean is 0.1 + 63.5·0.9/64 = 0.99296875
    expect(ulps(-(SIGNED_MAP[0] as number), 0.99296875)).toBeLessThanOrEqual(1);
    // i = 0: n = 2, one mean 0.55, times 1e-6
    expect(ulps(SIGNED_MAP[128] as number, 5.5e-7)).toBeLessThanOrEqual(2);
    // unsigned, i = 0: n = 3, means 0.325 and 0.775, times 1e-6
    expect(ulps(UNSIGNED_MAP[1] as number, 3.25e-7)).toBeLessThanOrEqual(2);
    expect(ulps(UNSIGNED_MAP[2] as number, 7.75e-7)).toBeLessThanOrEqual(2);
  });
});

describe('q8Code and q8Value on edge cases', () => {
  it('0 and -0 get the map zero (127 signed, 0 unsigned) whatever the absmax; values are +0', () => {
    for (const a of [0, 1, 1e30]) {
      expect(q8Code(0, a, true)).toBe(127);
      expect(q8Code(-0, a, true)).toBe(127);
      expect(q8Code(0, a, false)).toBe(0);
    }
    // a block of zeros: absmax 0, the zero code, and +0 back (map[0]·0 would be -0: flushed)
    const q = quantize(new Float32Array(Q8_BLOCK), true);
    expect(q.absmax).toEqual(new Float32Array([0]));
    expect(q.codes.every((c) => c === 127)).toBe(true);
    expect(dequantize(q, true).every((v) => Object.is(v, 0))).toBe(true);
    expect(Object.is(q8Value(0, 0, true), 0)).toBe(true);
  });

  it('a block of one positive value: every code 255 and the value back exactly', () => {
    // absmax = v; every midpoint is below 1 (the top one is (map[254] + 1)/2), so all 255
    // comparisons v >= f32(mid·v) hold: code 255, and f32(1.0·v) = v
    for (const signed of [true, false]) {
      const v = Math.fround(0.3);
      const q = quantize(new Float32Array(Q8_BLOCK).fill(v), signed);
      expect(q.absmax[0]).toBe(v);
      expect(q.codes.every((c) => c === 255)).toBe(true);
      expect(dequantize(q, signed).every((x) => x === v)).toBe(true);
    }
  });

  it('a block of one negative value: code 0, read back as map[0]·|v| (the map has no -1)', () => {
    // absmax 2.5; the lowest midpoint (map[0] + map[1])/2 ≈ -0.989 times 2.5 ≈ -2.47 > -2.5:
    // no comparison holds, code 0, value f32(-0.99296875·2.5) ≈ -2.4824
    const q = quantize(new Float32Array(Q8_BLOCK).fill(-2.5), true);
    expect(q.absmax[0]).toBe(2.5);
    expect(q.codes.every((c) => c === 0)).toBe(true);
    expect(q8Value(0, 2.5, true)).toBe(Math.fround((SIGNED_MAP[0] as number) * 2.5));
    expect(q8Value(0, 2.5, true)).toBeCloseTo(-2.4824, 4);
  });

  it('subnormals are flushed to +0: in, in the absmax, and out', () => {
    expect(q8Code(1e-40, 1, true)).toBe(127);
    expect(q8Code(-1e-40, 1e-39, false)).toBe(0);
    expect(blockAbsmax(Float32Array.from([1e-40, -3e-39, 0]))).toBe(0);
    // beside a normal value, the subnormals still get the zero code
    const q = quantize(Float32Array.from([1e-40, 2e-38, -1e-41]), true);
    expect(q.absmax[0]).toBe(Math.fround(2e-38));
    expect([q.codes[0], q.codes[1], q.codes[2]]).toEqual([127, 255, 127]);
    // map[128] ≈ 5.5e-7 times absmax 1e-38 ≈ 5.5e-45, a subnormal: read back as +0
    expect(Object.is(q8Value(128, Math.fround(1e-38), true), 0)).toBe(true);
    expect(Object.is(q8Value(126, Math.fround(1e-38), true), 0)).toBe(true);
  });

  it('+inf poisons its block: absmax inf, finite values read back as NaN', () => {
    // absmax +inf: f32(mid·inf) is -inf for the 127 negative midpoints and +inf for the 128
    // others (mid[127] = map[128]/2 > 0). A finite v (or 0, the zero code) passes exactly the
    // 127 negative ones: code 127, value 0·inf = NaN. inf passes all 255: code 255, value inf.
    const q = quantize(Float32Array.from([Infinity, 0.5, -0.5, 0]), true);
    expect(q.absmax[0]).toBe(Infinity);
    expect(Array.from(q.codes)).toEqual([255, 127, 127, 127]);
    const back = dequantize(q, true);
    expect(back[0]).toBe(Infinity);
    expect([back[1], back[2], back[3]].every(Number.isNaN)).toBe(true);
    // unsigned: every midpoint·inf is +inf, so a finite v > 0 passes none: count 0, raised to
    // code 1 by the zero-point rule, value map[1]·inf = inf; 0 keeps code 0, value 0·inf = NaN
    const u = quantize(Float32Array.from([3, Infinity, 0]), false);
    expect(Array.from(u.codes)).toEqual([1, 255, 0]);
    const ub = dequantize(u, false);
    expect([ub[0], ub[1]]).toEqual([Infinity, Infinity]);
    expect(Number.isNaN(ub[2])).toBe(true);
  });

  it('-inf makes the absmax +inf (|bits|), and reads back as NaN', () => {
    // -inf >= f32(mid·inf) = -inf for the 127 negative midpoints only: code 127, 0·inf = NaN
    const q = quantize(Float32Array.from([-Infinity, 1]), true);
    expect(q.absmax[0]).toBe(Infinity);
    expect(Array.from(q.codes)).toEqual([127, 127]);
    expect(Array.from(dequantize(q, true)).every(Number.isNaN)).toBe(true);
  });

  it('NaN poisons its block: absmax NaN (largest bits), every value NaN', () => {
    // NaN's bits with the sign cleared (0x7fc00000) exceed inf's; every comparison with a
    // NaN threshold fails (code 0), zeros keep the zero code, and map·NaN is NaN
    const q = quantize(Float32Array.from([1, NaN, -2, 0]), true);
    expect(Number.isNaN(q.absmax[0])).toBe(true);
    expect(Array.from(q.codes)).toEqual([0, 0, 0, 127]);
    expect(Array.from(dequantize(q, true)).every(Number.isNaN)).toBe(true);
  });

  it('ties at a midpoint go up; the f32 just below goes down', () => {
    const below = (x: number) => {
      const f = new Float32Array([x]);
      const u = new Int32Array(f.buffer);
      u[0] = (u[0] as number) + (x > 0 ? -1 : 1);
      return f[0] as number;
    };
    for (const [map, signed] of [
      [SIGNED_MAP, true],
      [UNSIGNED_MAP, false],
    ] as const) {
      for (const k of [0, 1, 100, 126, 127, 128, 200, 253, 254]) {
        const m = mid(map, k);
        if (m === 0) continue;
        // absmax 1: the threshold is the midpoint itself. Below the first unsigned midpoint a
        // positive value counts 0 midpoints but is stored as code 1 (the zero-point rule).
        const down = !signed && k === 0 ? 1 : k;
        expect(q8Code(m, 1, signed), `${signed} mid[${k}]`).toBe(k + 1);
        expect(q8Code(below(m), 1, signed), `${signed} below mid[${k}]`).toBe(down);
        // absmax 4 (a power of two scales exactly): the same decisions
        expect(q8Code(4 * m, 4, signed)).toBe(k + 1);
        expect(q8Code(4 * below(m), 4, signed)).toBe(down);
      }
    }
  });

  it('zero-point rule: a positive value in an unsigned array is never code 0', () => {
    // unsigned map[1] = 3.25e-7: 1e-9 (in a block of 1) is nearest 0 but is stored as code 1,
    // so a denominator never reads back as 0 while its value is positive
    expect(q8Code(1e-9, 1, false)).toBe(1);
    expect(q8Value(1, 1, false)).toBe(UNSIGNED_MAP[1]);
    expect(q8Code(Math.fround(1e-37), 1e30, false)).toBe(1);
    // the signed map keeps the nearest entry, 0; 0 itself stays code 0 unsigned
    expect(q8Code(1e-9, 1, true)).toBe(127);
    expect(q8Code(0, 1, false)).toBe(0);
  });

  it('negative values in an unsigned array get code 0 (the map zero)', () => {
    // every unsigned midpoint is positive, so v < 0 passes none
    expect(q8Code(-0.5, 1, false)).toBe(0);
    expect(q8Code(-1e30, 1, false)).toBe(0);
    const q = quantize(Float32Array.from([-4, 2]), false);
    expect(q.absmax[0]).toBe(4);
    expect(q.codes[0]).toBe(0);
    expect(Object.is(dequantize(q, false)[0], 0)).toBe(true);
  });
});

describe("rounding up (Q8_ROUNDED_UP: Adadelta's square_avg)", () => {
  it("is Adadelta's square_avg only; RMSprop's square_avg and acc_delta round to nearest", () => {
    expect(Q8_ROUNDED_UP).toEqual({ adadelta: ['square_avg'] });
    expect(q8RoundsUp('adadelta', 'square_avg')).toBe(true);
    expect(q8RoundsUp('adadelta', 'acc_delta')).toBe(false);
    expect(q8RoundsUp('rmsprop', 'square_avg')).toBe(false);
    expect(Q8_REFUSED.adadelta).toBeUndefined();
  });

  it('hand-derived codes: the smallest entry at or above v / absmax', () => {
    // map[191] = 0.55351567…, map[192] = 0.560546875, their midpoint 0.55703127…
    expect(UNSIGNED_MAP[191]).toBeCloseTo(0.5535157, 7);
    expect(UNSIGNED_MAP[192]).toBe(0.560546875);
    // 0.556 sits below the midpoint: nearest 191, up 192
    expect(q8Code(0.556, 1, false)).toBe(191);
    expect(q8Code(0.556, 1, false, true)).toBe(192);
    // 0.55 (map[190] = 0.54648… < 0.55 < map[191]) is nearest 191 and rounds up to 191 too
    expect(q8Code(0.55, 1, false)).toBe(191);
    expect(q8Code(0.55, 1, false, true)).toBe(191);
    // an entry itself keeps its code; the next f32 above it takes the next code
    const next = (x: number) => {
      const f = new Float32Array([x]);
      const u = new Uint32Array(f.buffer);
      u[0] = (u[0] as number) + 1;
      return f[0] as number;
    };
    for (const k of [1, 2, 100, 191, 254]) {
      expect(q8Code(UNSIGNED_MAP[k] as number, 1, false, true), `map[${k}]`).toBe(k);
      expect(q8Code(next(UNSIGNED_MAP[k] as number), 1, false, true), `above map[${k}]`).toBe(
        k + 1,
      );
      // absmax 8 (a power of two scales exactly): the same decisions
      expect(q8Code(8 * (UNSIGNED_MAP[k] as number), 8, false, true)).toBe(k);
    }
    // 4 in a block of 8: 0.5 lies between map[183] = 0.49726… and map[184] = 0.50429…, below
    // their midpoint 0.50078…
    expect(UNSIGNED_MAP[183]).toBeCloseTo(0.4972656, 7);
    expect(UNSIGNED_MAP[184]).toBeCloseTo(0.5042969, 7);
    expect(q8Code(4, 8, false)).toBe(183);
    expect(q8Code(4, 8, false, true)).toBe(184);
  });

  it('edge cases: 0, negatives, tiny, absmax itself, +inf, NaN; signed arrays refuse it', () => {
    expect(q8Code(0, 1, false, true)).toBe(0);
    expect(q8Code(-0.5, 1, false, true)).toBe(0);
    // below map[1] = 3.25e-7: rounds up to code 1 (so the zero-point rule holds by itself)
    expect(q8Code(1e-12, 1, false, true)).toBe(1);
    expect(q8Code(3e-7, 1, false, true)).toBe(1);
    expect(q8Code(1, 1, false, true)).toBe(255);
    expect(q8Code(2.5, 2.5, false, true)).toBe(255);
    // +inf in a block of +inf (the kernel's early return), NaN anywhere
    expect(q8Code(Infinity, Infinity, false, true)).toBe(255);
    expect(q8Code(NaN, 1, false, true)).toBe(0);
    expect(q8Code(0.5, NaN, false, true)).toBe(1);
    expect(() => q8Code(0.5, 1, true, true)).toThrow(RangeError);
  });

  it('never reads back below the value, and the entry below is below it (50 000 random values)', () => {
    const next = rng(21);
    const bad: string[] = [];
    for (let t = 0; t < 50_000; t++) {
      const a = Math.fround(10 ** (8 * next() - 4));
      const v = Math.fround(next() * a * 10 ** (-7 * next()));
      const c = q8Code(v, a, false, true);
      if (q8Value(c, a, false) < v) bad.push(`${v} in ${a}: code ${c} reads back below`);
      if (c > 1 && q8Value(c - 1, a, false) >= v) bad.push(`${v} in ${a}: code ${c - 1} suffices`);
    }
    expect(bad).toEqual([]);
  });

  it('read-back values quantise and recover to the same codes', () => {
    const next = rng(22);
    const x = Float32Array.from({ length: 3 * Q8_BLOCK + 17 }, () => next() * 10 ** (-8 * next()));
    const q = quantize(x, false, true);
    const back = dequantize(q, false);
    for (let i = 0; i < x.length; i++) expect(back[i]).toBeGreaterThanOrEqual(x[i] as number);
    expect(quantize(back, false, true)).toEqual(q);
    expect(recoverQuantized(back, false, true)).toEqual(q);
    // values that never were 8-bit are rounded up on a load, not to nearest
    expect(recoverQuantized(x, false, true)).toEqual(q);
    expect(recoverQuantized(x, false)).not.toEqual(q);
  });

  it("a 'q8' AdadeltaReference stores square_avg rounded up and acc_delta to nearest", () => {
    // first step from zero state: square_avg = (1 − ρ)·g·g, delta = √ε/√(square_avg + ε)·g,
    // acc_delta = (1 − ρ)·delta², all in f32 as the kernel (ρ = 0.9, ε = 1e-6)
    const next = rng(23);
    const g = Float32Array.from({ length: 600 }, () => (next() - 0.5) * 10 ** (-3 * next()));
    const opt = new AdadeltaReference([new Float32Array(600)], {
      stateDtype: 'q8',
      min8bitSize: 0,
    });
    opt.step([g]);
    const f = Math.fround;
    const omr = f(1 - 0.9);
    const eps = f(1e-6);
    const sq = g.map((x) => f(f(omr * x) * x));
    const acc = g.map((x, i) => {
      const d = f(f(f(Math.sqrt(eps)) / f(Math.sqrt(f((sq[i] as number) + eps)))) * x);
      return f(f(omr * d) * d);
    });
    const s = opt.stateDict().state[0];
    expect(s?.q8?.square_avg).toEqual(quantize(sq, false, true));
    expect(s?.q8?.acc_delta).toEqual(quantize(acc, false));
    // the rule changed codes here: nearest would have stored others
    expect(s?.q8?.square_avg?.codes).not.toEqual(quantize(sq, false).codes);
  });
});

describe('quantiser properties', () => {
  it('picks the nearest map entry to v / absmax (50 000 random values per map)', () => {
    const next = rng(12);
    const far: string[] = [];
    for (const [map, signed] of [
      [SIGNED_MAP, true],
      [UNSIGNED_MAP, false],
    ] as const) {
      for (let t = 0; t < 50_000; t++) {
        const a = Math.fround(10 ** (8 * next() - 4));
        const v = Math.fround((signed ? 2 * next() - 1 : next()) * a * 10 ** (-7 * next()));
        const c = q8Code(v, a, signed);
        const y = v / a;
        if (!signed && y > 0 && y < (map[1] as number) / 2) {
          // nearest is 0, but the zero-point rule stores a positive value as code 1
          if (c !== 1) far.push(`${v} in a block of ${a}: code ${c}, expected 1 (zero point)`);
          continue;
        }
        const d = Math.abs(y - (map[c] as number));
        const nearer = [c - 1, c + 1].filter(
          (k) => k >= 0 && k < 256 && Math.abs(y - (map[k] as number)) < d,
        );
        if (nearer.length > 0) far.push(`${v} in a block of ${a}: code ${c}, nearer ${nearer}`);
      }
    }
    expect(far).toEqual([]);
  });

  it('blockAbsmax is the largest |v|, by bits, over the range asked', () => {
    const v = Float32Array.from([0.5, -3, 2, 7, -8]);
    expect(blockAbsmax(v)).toBe(8);
    expect(blockAbsmax(v, 0, 3)).toBe(3);
    expect(blockAbsmax(v, 2, 4)).toBe(7);
    // 256-element blocks, a partial last one
    const long = Float32Array.from({ length: 600 }, (_, i) => (i === 10 ? 9 : i === 599 ? -5 : 1));
    expect(Array.from(quantize(long, true).absmax)).toEqual([9, 1, 5]);
  });

  it('quantize ∘ dequantize is idempotent: unsigned, and signed blocks whose max is positive', () => {
    const next = rng(7);
    for (const signed of [true, false]) {
      for (let b = 0; b < 50; b++) {
        const x = Float32Array.from(
          { length: 3 * Q8_BLOCK + 17 },
          () => (signed ? 2 * next() - 1 : next()) * 10 ** (-8 * next()),
        );
        if (signed) {
          // make each block's largest |v| positive
          for (let s = 0; s < x.length; s += Q8_BLOCK) x[s] = 2;
        }
        const q = quantize(x, signed);
        const again = quantize(dequantize(q, signed), signed);
        expect(again.codes).toEqual(q.codes);
        expect(again.absmax).toEqual(q.absmax);
      }
    }
  });

  it('a signed block whose max is negative shrinks by |map[0]| per round trip (no -1 entry)', () => {
    // the largest |v| is -1: code 0, read back as map[0] ≈ -0.99296875, so quantising the
    // read-back values finds absmax 0.99296875 (a property of bitsandbytes' signed map)
    const x = Float32Array.from({ length: Q8_BLOCK }, (_, i) => (i === 0 ? -1 : (i % 7) * 0.1));
    const q = quantize(x, true);
    expect(q.absmax[0]).toBe(1);
    expect(q.codes[0]).toBe(0);
    const again = quantize(dequantize(q, true), true);
    expect(again.absmax[0]).toBe(-(SIGNED_MAP[0] as number));
  });
});

describe("stateDtype 'q8' on the reference", () => {
  it('min8bitSize (default 4096): 4095 keeps f32 state, 4096 is stored in 8 bits', () => {
    expect(MIN_8BIT_SIZE).toBe(4096);
    const g = [new Float32Array(4095).fill(0.25), new Float32Array(4096).fill(-0.5)];
    const q = new AdamReference([new Float32Array(4095), new Float32Array(4096)], {
      stateDtype: 'q8',
    });
    const f = new AdamReference([new Float32Array(4095), new Float32Array(4096)]);
    q.step(g);
    f.step(g);
    const [q0, q1] = q.stateDict().state;
    const [f0, f1] = f.stateDict().state;
    expect(q0?.q8).toBeUndefined();
    expect(q0?.exp_avg).toEqual(f0?.exp_avg);
    expect(Object.keys(q1?.q8 ?? {}).sort()).toEqual(['exp_avg', 'exp_avg_sq']);
    // after one step from zero state the 8-bit arrays are the f32 ones, quantised
    expect(q1?.q8?.exp_avg).toEqual(quantize(f1?.exp_avg as Float32Array, true));
    expect(q1?.q8?.exp_avg_sq).toEqual(quantize(f1?.exp_avg_sq as Float32Array, false));
    expect(q1?.exp_avg).toEqual(dequantize(quantize(f1?.exp_avg as Float32Array, true), true));
  });

  it('min8bitSize 0 quantises every tensor; 4097 keeps a 4096 tensor in f32', () => {
    const all = new SGDReference([new Float32Array(1), new Float32Array(300)], {
      momentum: 0.9,
      stateDtype: 'q8',
      min8bitSize: 0,
    });
    expect(all.stateDict().state.map((s) => Object.keys(s.q8 ?? {}))).toEqual([
      ['momentum_buffer'],
      ['momentum_buffer'],
    ]);
    const none = new SGDReference([new Float32Array(4096)], {
      momentum: 0.9,
      stateDtype: 'q8',
      min8bitSize: 4097,
    });
    expect(none.stateDict().state[0]?.q8).toBeUndefined();
  });

  it.each([
    [-1, '-1'],
    [1.5, '1.5'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    ['4096', '"4096"'],
    [null, 'null'],
  ])('rejects min8bitSize %s, naming the option and the value', (v, shown) => {
    expect(
      () =>
        new AdamReference([new Float32Array(4)], { stateDtype: 'q8', min8bitSize: v as number }),
    ).toThrowError(
      new RangeError(`adam reference: min8bitSize must be a non-negative integer, got ${shown}`),
    );
  });

  it('loading an f32 dict quantises it: state = dequantize(quantize(x))', () => {
    const f = new AdamReference([new Float32Array(5000)], { amsgrad: true });
    const next = rng(3);
    f.step([Float32Array.from({ length: 5000 }, () => next() - 0.5)]);
    const dict = f.stateDict();
    const q = new AdamReference([new Float32Array(5000)], { amsgrad: true, stateDtype: 'q8' });
    q.loadStateDict(dict);
    const s = q.stateDict().state[0];
    for (const [name, signed] of [
      ['exp_avg', true],
      ['exp_avg_sq', false],
      ['max_exp_avg_sq', false],
    ] as const) {
      const x = dict.state[0]?.[name] as Float32Array;
      expect(s?.[name], name).toEqual(dequantize(quantize(x, signed), signed));
      expect(s?.q8?.[name], name).toEqual(quantize(x, signed));
    }
  });
});

describe("algorithms that refuse 'q8'", () => {
  const f = fakeDevice();
  const p = [{ buffer: f.buffer(64), length: 4 }];
  it.each([
    [
      'ScheduleFreeAdamW',
      () => new ScheduleFreeAdamW(f.device, p, { stateDtype: 'q8' }),
      /z is the weights' base sequence/,
    ],
    [
      'schedulefreeadamw reference',
      () => new ScheduleFreeAdamWReference([new Float32Array(4)], { stateDtype: 'q8' }),
      /z is the weights' base sequence/,
    ],
  ])('%s throws a RangeError saying why', (name, make, why) => {
    expect(make).toThrow(RangeError);
    expect(make).toThrow(new RegExp(`^${name}: stateDtype "q8" is not available: `));
    expect(make).toThrow(why);
  });
});

describe("stateDtype 'q8' on the GPU classes (fake device)", () => {
  it('LAMB takes it: an 8-bit tensor steps with a tensor_sums_q8 and a main_q8 dispatch', () => {
    const f = fakeDevice();
    const buf = f.buffer(4 * 8192);
    const make = (o: object) =>
      new LAMB(
        f.device,
        [
          { buffer: buf, length: 300 },
          { buffer: buf, offset: 4 * 4096, length: 4096 },
        ],
        o,
      );
    const q = make({ stateDtype: 'q8' });
    expect([q.isQuantized(0), q.isQuantized(1)]).toEqual([false, true]);
    // exp_avg and exp_avg_sq: 4096 codes and 16 absmax each, beside the f32 tensor's 2·300 f32
    expect(q.stateBytes).toBeLessThan(make({}).stateBytes / 2);
    // min8bitSize 0: per 8-bit tensor a tensor_sums_q8 and a main_q8 dispatch, then one finalize
    const all = make({ stateDtype: 'q8', min8bitSize: 0 });
    const grads = f.buffer(4 * 8192);
    all.step([
      { buffer: grads, length: 300 },
      { buffer: grads, offset: 4 * 4096, length: 4096 },
    ]);
    expect(all.lastStepDispatches).toBe(2 * 2 + 1);
    const ref = new LAMBReference([new Float32Array(4096)], { stateDtype: 'q8' });
    ref.step([new Float32Array(4096).fill(0.5)]);
    expect(ref.stateDict().state[0]?.q8?.exp_avg?.codes).toHaveLength(4096);
  });

  it('isQuantized follows min8bitSize; stateBytes holds codes and absmax for 8-bit tensors', () => {
    const f = fakeDevice();
    const buf = f.buffer(4 * 8192);
    const make = (o: object) =>
      new Adam(
        f.device,
        [
          { buffer: buf, length: 4095 },
          { buffer: buf, offset: 4 * 4096, length: 4096 },
        ],
        o,
      );
    const q = make({ stateDtype: 'q8' });
    expect([q.isQuantized(0), q.isQuantized(1)]).toEqual([false, true]);
    const all = make({ stateDtype: 'q8', min8bitSize: 0 });
    expect([all.isQuantized(0), all.isQuantized(1)]).toEqual([true, true]);
    const f32 = make({});
    expect([f32.isQuantized(0), f32.isQuantized(1)]).toEqual([false, false]);
    // two arrays each: 8-bit, 4095 codes + 16 absmax and 4096 codes + 16 absmax, at least
    const least8 = 2 * (4095 + 4 * 16 + 4096 + 4 * 16);
    expect(all.stateBytes).toBeGreaterThanOrEqual(least8);
    expect(all.stateBytes).toBeLessThan(least8 + 4096);
    expect(f32.stateBytes).toBeGreaterThanOrEqual(2 * 4 * 8191);
    expect(q.stateBytes).toBeGreaterThanOrEqual(2 * (4 * 4095 + 4096 + 4 * 16));
    expect(q.stateBytes).toBeLessThan(f32.stateBytes);
  });

  it('rejects an invalid min8bitSize, naming the option', () => {
    const f = fakeDevice();
    expect(
      () =>
        new SGD(f.device, [{ buffer: f.buffer(64), length: 4 }], {
          momentum: 0.9,
          stateDtype: 'q8',
          min8bitSize: -4,
        }),
    ).toThrowError(new RangeError('SGD: min8bitSize must be a non-negative integer, got -4'));
  });
});

describe("state dict validation of 'q8' entries", () => {
  function saved(): { opt: ReferenceOptimizer<'adam'>; dict: StateDict } {
    const opt = new AdamReference([new Float32Array(300), new Float32Array(4096)], {
      stateDtype: 'q8',
    });
    opt.step([new Float32Array(300).fill(1), new Float32Array(4096).fill(-1)]);
    return { opt, dict: opt.stateDict() };
  }
  const where = 'adam reference: loadStateDict: invalid state dict: ';

  it('accepts its own dict, and a dict without q8 entries (quantising)', () => {
    const { opt, dict } = saved();
    expect(() => opt.loadStateDict(dict)).not.toThrow();
    const { q8: _q, ...plain } = dict.state[1] as StateDict['state'][number];
    expect(() =>
      opt.loadStateDict({ ...dict, state: [dict.state[0] as StateDict['state'][number], plain] }),
    ).not.toThrow();
  });

  it.each([
    [
      'codes of the wrong length',
      (q: { codes: Uint8Array; absmax: Float32Array }) => ({ ...q, codes: q.codes.slice(1) }),
      'state[1].q8.exp_avg.codes must be a Uint8Array of 4096 codes, got length 4095',
    ],
    [
      'codes that are not a Uint8Array',
      (q: { codes: Uint8Array; absmax: Float32Array }) => ({ ...q, codes: Array.from(q.codes) }),
      'state[1].q8.exp_avg.codes must be a Uint8Array of 4096 codes, got object',
    ],
    [
      'absmax of the wrong length',
      (q: { codes: Uint8Array; absmax: Float32Array }) => ({ ...q, absmax: q.absmax.slice(1) }),
      'state[1].q8.exp_avg.absmax must be a Float32Array of 16 blocks, got length 15',
    ],
  ])('rejects %s', (_, damage, msg) => {
    const { opt, dict } = saved();
    const s = dict.state[1] as StateDict['state'][number];
    const q8 = { ...s.q8, exp_avg: damage(s.q8?.exp_avg as never) };
    const bad = {
      ...dict,
      state: [dict.state[0] as StateDict['state'][number], { ...s, q8 }],
    } as StateDict;
    expect(() => opt.loadStateDict(bad)).toThrowError(new Error(where + msg));
  });

  it('rejects a name the tensor does not keep', () => {
    const { opt, dict } = saved();
    const s = dict.state[1] as StateDict['state'][number];
    const q8 = { ...s.q8, sum: s.q8?.exp_avg };
    expect(() =>
      opt.loadStateDict({
        ...dict,
        state: [dict.state[0] as StateDict['state'][number], { ...s, q8 } as never],
      }),
    ).toThrowError(
      new Error(
        `${where}state[1].q8.sum is not kept for this tensor (it keeps exp_avg, exp_avg_sq)`,
      ),
    );
  });

  it('rejects q8 entries in a dict of another dtype', () => {
    const { opt, dict } = saved();
    expect(() => opt.loadStateDict({ ...dict, stateDtype: 'f32' })).toThrowError(
      new Error(`${where}state[1].q8 is only valid in a "q8" state dict, this one is "f32"`),
    );
  });

  it('an f32 optimizer rejects a q8 dict, naming the dtype', () => {
    const { dict } = saved();
    const f32 = new AdamReference([new Float32Array(300), new Float32Array(4096)]);
    expect(() => f32.loadStateDict(dict)).toThrow(
      /invalid state dict: stateDtype is "q8" but this optimizer stores "f32"/,
    );
  });
});

describe("a 'q8' dict without its codes (the f32 arrays only, as JSON or TF.js weights keep)", () => {
  it('loads back to the same codes and continues bitwise (q8Recover on load)', () => {
    const n = 5000;
    const init = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.5);
    // Every block's largest gradient is negative (element 7 of each block).
    const grad = (s: number) =>
      Float32Array.from({ length: n }, (_, i) => (i % 256 === 7 ? -3 : Math.cos(i * (s + 1))));
    const a = new AdamReference([new Float32Array(init)], { lr: 0.01, stateDtype: 'q8' });
    for (let s = 0; s < 3; s++) a.step([grad(s)]);
    const dict = a.stateDict();
    const s0 = dict.state[0] as StateDict['state'][number];
    const withCodes = s0.q8?.exp_avg;
    // Blocks whose largest magnitude is negative exist (else the check below proves nothing):
    // quantising their read-back values again would shrink their absmax by |map[0]|.
    const again = quantize(s0.exp_avg as Float32Array, true);
    expect(Array.from(again.absmax)).not.toEqual(Array.from(withCodes?.absmax ?? []));
    const { q8: _dropped, ...bare } = s0;
    const b = new AdamReference([new Float32Array(a.params[0] as Float32Array)], {
      lr: 0.01,
      stateDtype: 'q8',
    });
    b.loadStateDict({ ...dict, state: [bare] });
    const loaded = b.stateDict().state[0]?.q8?.exp_avg;
    expect(Array.from(loaded?.absmax ?? [])).toEqual(Array.from(withCodes?.absmax ?? []));
    expect(Array.from(loaded?.codes ?? [])).toEqual(Array.from(withCodes?.codes ?? []));
    a.step([grad(5)]);
    b.step([grad(5)]);
    expect(Array.from(b.params[0] as Float32Array)).toEqual(
      Array.from(a.params[0] as Float32Array),
    );
  });
});
