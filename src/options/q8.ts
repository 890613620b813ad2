/**
 * Block-wise dynamic 8-bit quantisation of optimizer state (stateDtype 'q8'), bit for bit as
 * shaders/state_q8.wgsl does it (Dettmers et al. 2022, "8-bit Optimizers via Block-wise
 * Quantization"; bitsandbytes' blockwise optimizers):
 * - A state array is cut into blocks of Q8_BLOCK = 256 consecutive elements; each block keeps
 *   one f32 `absmax`, the largest |value| in it: the maximum of the values' f32 bits with the
 *   sign cleared, so a NaN in the block makes the absmax NaN (and the whole block NaN).
 * - Each value is stored as the 8-bit index (code) of an entry of bitsandbytes' dynamic map
 *   (src/options/qmapData.ts): the signed map for first moments and momentum, the unsigned
 *   one for second moments and accumulators (Q8_SIGNED_STATES).
 * - code(v) = the number of midpoints mid[k] (k = 0..254, the f32 rounding of the mean of
 *   map[k] and map[k + 1]) with v >= f32(mid[k] · absmax): the nearest entry of the map to
 *   v / absmax, decided by f32 products (exact and the same on every device, unlike a
 *   division). Ties go up. 0 gets the map's zero; a negative value in an unsigned array gets
 *   code 0 (the map's 0).
 * - One departure from bitsandbytes: in an unsigned array a positive value never gets code 0
 *   (it gets code 1, the smallest positive entry, 3.25e-7 · absmax). Those arrays are
 *   denominators (second moments, accumulators, infinity norms); a small one stored as 0
 *   makes Adam's next step m / ε-sized for that element, every step (the zero-point problem of
 *   Li et al. 2023, "Memory Efficient Optimizers with 4-bit States", who drop zero from the
 *   second moment's map for this reason). Rounding it up errs the other way: a smaller step.
 * - Rounding up, for the arrays listed in Q8_ROUNDED_UP (only Adadelta's square_avg): code(v) =
 *   the number of entries k (k = 0..254) with v > f32(map[k] · absmax), the smallest code that
 *   reads back as v or more. Adadelta's step is √(acc_delta + ε)/√(square_avg + ε)·g, and its
 *   limit cycle at the bottom of a valley (an element whose curvature times the ratio is 2
 *   flips sign each step; any amplitude is a fixed point once ε is small next to the squares)
 *   is neutrally stable: rounding to nearest nudges the amplitude up or down at random, and an
 *   element whose rounding drifted up grew without bound (a quadratic of test/state8Problems.ts
 *   diverged, final loss 90 against 0.50 in f32). A square_avg never read back below its f32
 *   value makes every rounding error shorten the step, which damps the cycle. docs/state8.md
 *   has the measurements of this and the other candidates.
 * - A stored value reads back as f32(map[code] · absmax).
 * - Subnormals are flushed to +0 by bit tests, before quantising and after dequantising, and 0
 *   gets the map's zero directly. WGSL lets a device flush subnormal f32 arithmetic (SwiftShader
 *   does, others don't); with these rules no comparison or product the codes depend on can go
 *   either way, so the codes and values are the same on every device and in this reference.
 */
import { SIGNED_MAP_BITS, UNSIGNED_MAP_BITS } from './qmapData.ts';
import type { Algorithm, StateName } from './types.ts';

/** Elements per quantisation block (bitsandbytes' blocksize for optimizer state). */
export const Q8_BLOCK = 256;

/**
 * Tensors with fewer elements than this keep f32 state in a 'q8' optimizer (bitsandbytes'
 * `min_8bit_size`, 4096): the HostOptions `min8bitSize` default.
 */
export const MIN_8BIT_SIZE = 4096;

function fromBits(bits: readonly number[]): Float32Array {
  return new Float32Array(new Uint32Array(bits).buffer);
}

/** The signed dynamic map: 256 f32 values in [-0.993, 1], ascending, 0 at index 127. */
export const SIGNED_MAP: Float32Array = fromBits(SIGNED_MAP_BITS);
/** The unsigned dynamic map: 256 f32 values in [0, 1], ascending, 0 at index 0. */
export const UNSIGNED_MAP: Float32Array = fromBits(UNSIGNED_MAP_BITS);

function midpoints(map: Float32Array): Float32Array {
  const mids = new Float32Array(255);
  // The f64 mean of two f32 values is exact here (their exponents differ by < 29); one rounding.
  for (let k = 0; k < 255; k++) mids[k] = ((map[k] as number) + (map[k + 1] as number)) / 2;
  return mids;
}

/** The signed map's code for 0 (127 negative entries come before it). */
export const SIGNED_ZERO = SIGNED_MAP.indexOf(0);

/** The 255 decision thresholds between consecutive entries of each map. */
export const SIGNED_MIDS: Float32Array = midpoints(SIGNED_MAP);
export const UNSIGNED_MIDS: Float32Array = midpoints(UNSIGNED_MAP);

/**
 * Buckets of the kernel's first guess at a code: |v| / absmax (approximate) by its f32 exponent
 * (2^-23 .. 2^0, 24 binades) and top 5 mantissa bits; smaller values fall in bucket 0, larger
 * in the last.
 */
export const Q8_GUESS_BUCKETS = 24 * 32;

/** The lower bound of guess bucket `k` (its smallest |v| / absmax). */
function bucketLow(k: number): number {
  const u = new Uint32Array([((127 - 23) << 23) + (k << 18)]);
  return new Float32Array(u.buffer)[0] as number;
}

/**
 * A first guess at the code of every bucket: the code of the bucket's lower bound (positive
 * values) and of the negated upper bound (negative values, signed map). The kernel then steps
 * to the exact count of midpoints below v, one comparison at a time (q8_code), so the guess
 * only saves comparisons: it never changes a code.
 */
function guesses(): Uint8Array {
  // q8Code of a positive value in an unsigned array is at least 1 (the zero-point rule), a
  // harmless guess: the kernel steps to the count, then applies the rule.
  const out = new Uint8Array(3 * Q8_GUESS_BUCKETS);
  for (let k = 0; k < Q8_GUESS_BUCKETS; k++) {
    const lo = bucketLow(k);
    const hi = k + 1 < Q8_GUESS_BUCKETS ? bucketLow(k + 1) : 2;
    out[k] = q8Code(lo, 1, false);
    out[Q8_GUESS_BUCKETS + k] = q8Code(lo, 1, true);
    out[2 * Q8_GUESS_BUCKETS + k] = q8Code(-hi, 1, true);
  }
  return out;
}

/**
 * The table the kernels read (binding 9, shaders/state_q8.wgsl), as u32 words: the signed
 * map, the unsigned map, the signed midpoints (255 and a pad), the unsigned midpoints (255,
 * pad), all as f32 bits, then the guess tables (unsigned, signed positive, signed negative;
 * Q8_GUESS_BUCKETS codes each, four per word).
 */
export function q8Table(): Uint32Array {
  const f = new Float32Array(1024 + (3 * Q8_GUESS_BUCKETS) / 4);
  f.set(SIGNED_MAP, 0);
  f.set(UNSIGNED_MAP, 256);
  f.set(SIGNED_MIDS, 512);
  f.set(UNSIGNED_MIDS, 768);
  const words = new Uint32Array(f.buffer);
  new Uint8Array(f.buffer, 4 * 1024).set(guesses());
  return words;
}

/**
 * State arrays quantised with the signed map (they change sign); every other one (squares,
 * accumulators, infinity norms) uses the unsigned map.
 */
export const Q8_SIGNED_STATES: readonly StateName[] = ['momentum_buffer', 'grad_avg', 'exp_avg'];

/** Whether state array `name` uses the signed map. */
export function q8Signed(name: StateName): boolean {
  return Q8_SIGNED_STATES.includes(name);
}

/**
 * State arrays quantised by rounding up (the smallest code that reads back as the value or
 * more) instead of to nearest, per algorithm: Adadelta's square_avg, the denominator of its
 * step (see this file's header). All are unsigned. Every other array rounds to nearest.
 */
export const Q8_ROUNDED_UP: Partial<Record<Algorithm, readonly StateName[]>> = {
  adadelta: ['square_avg'],
};

/** Whether state array `name` of `algorithm` is quantised by rounding up (Q8_ROUNDED_UP). */
export function q8RoundsUp(algorithm: Algorithm, name: StateName): boolean {
  return Q8_ROUNDED_UP[algorithm]?.includes(name) ?? false;
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** |v| as the kernel takes it: the f32 bits of v with the sign cleared. */
function absBits(v: number): number {
  scratch[0] = v;
  return (scratchBits[0] as number) & 0x7fffffff;
}

/** The smallest positive normal f32's bits: anything below is a subnormal (or zero). */
const MIN_NORMAL_BITS = 0x00800000;

/** `x` with a subnormal (or -0) replaced by +0, by its bits (q8_flush in the kernel). */
export function flushSubnormal(x: number): number {
  return absBits(x) < MIN_NORMAL_BITS ? 0 : Math.fround(x);
}

/**
 * The block's absmax: the f32 whose bits are the largest of absBits over `values`, subnormals
 * flushed first.
 */
export function blockAbsmax(values: ArrayLike<number>, start = 0, end = values.length): number {
  let max = 0;
  for (let i = start; i < end; i++) {
    const b = absBits(flushSubnormal(values[i] as number));
    if (b > max) max = b;
  }
  scratchBits[0] = max;
  return scratch[0] as number;
}

/**
 * The code of `v` in a block of absmax `absmax`, as shaders/state_q8.wgsl's q8_code finds it:
 * the number of midpoints k with v >= f32(mid[k] · absmax) (to nearest), or with `up` (an
 * unsigned array in Q8_ROUNDED_UP) the number of entries k < 255 with v > f32(map[k] · absmax).
 */
export function q8Code(v: number, absmax: number, signed: boolean, up = false): number {
  const x = flushSubnormal(v);
  // 0 is the map's zero; a normal x against a product that a device may flush decides alike.
  if (x === 0) return signed ? SIGNED_ZERO : 0;
  let c = 0;
  if (up) {
    if (signed) throw new RangeError('q8Code: rounding up is for unsigned arrays only');
    // +inf is above every entry even when the absmax is +inf (0 · inf is NaN): the kernel's
    // early return.
    if (x === Infinity) return 255;
    for (let b = 128; b > 0; b >>= 1) {
      const k = c + b - 1;
      if (x > Math.fround((UNSIGNED_MAP[k] as number) * absmax)) c += b;
    }
    return c === 0 && x > 0 ? 1 : c;
  }
  const mids = signed ? SIGNED_MIDS : UNSIGNED_MIDS;
  for (let b = 128; b > 0; b >>= 1) {
    const k = c + b - 1;
    if (x >= Math.fround((mids[k] as number) * absmax)) c += b;
  }
  // The zero-point rule: a positive value is never stored as 0 in an unsigned array.
  return !signed && c === 0 && x > 0 ? 1 : c;
}

/** The value code `code` stands for in a block of absmax `absmax`: f32(map[code] · absmax). */
export function q8Value(code: number, absmax: number, signed: boolean): number {
  const map = signed ? SIGNED_MAP : UNSIGNED_MAP;
  return flushSubnormal((map[code] as number) * absmax);
}

/** One state array in 8 bits: a code per element and an absmax per block of 256. */
export interface Quantized {
  /** One code per element: the index of its entry in the signed or unsigned map. */
  codes: Uint8Array;
  /** One f32 per block of 256 elements: the block's largest |value|. */
  absmax: Float32Array;
}

/**
 * Quantises `values` (f32) block by block, as the kernel stores them; `up` rounds up
 * (Q8_ROUNDED_UP arrays) instead of to nearest.
 */
export function quantize(values: Float32Array, signed: boolean, up = false): Quantized {
  const blocks = Math.ceil(values.length / Q8_BLOCK);
  const codes = new Uint8Array(values.length);
  const absmax = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const start = b * Q8_BLOCK;
    const end = Math.min(values.length, start + Q8_BLOCK);
    const a = blockAbsmax(values, start, end);
    absmax[b] = a;
    for (let i = start; i < end; i++) codes[i] = q8Code(values[i] as number, a, signed, up);
  }
  return { codes, absmax };
}

/** The f32 values a quantised array reads back as. */
export function dequantize(q: Quantized, signed: boolean): Float32Array {
  const out = new Float32Array(q.codes.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = q8Value(q.codes[i] as number, q.absmax[Math.floor(i / Q8_BLOCK)] as number, signed);
  }
  return out;
}

/** Blocks of a `length`-element array. */
export function q8Blocks(length: number): number {
  return Math.ceil(length / Q8_BLOCK);
}

/**
 * Algorithms without 'q8' state, and why (the error message says it). Schedule-Free's `z` is
 * the weights' own base sequence, not a statistic: rounding it to 8 bits would round the model.
 */
export const Q8_REFUSED: Partial<Record<string, string>> = {
  schedulefreeadamw:
    "ScheduleFreeAdamW's z is the weights' base sequence (x and y are interpolated from it), not a statistic; quantising it would round the model itself. Use 'bf16' or 'f16' for half the memory",
};

/** Checks a `min8bitSize` option (a non-negative integer); the error names it. */
export function checkMin8bitSize(value: unknown, where: string): number {
  if (value === undefined) return MIN_8BIT_SIZE;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `${where}: min8bitSize must be a non-negative integer, got ${typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value))}`,
    );
  }
  return value;
}
