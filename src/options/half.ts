/**
 * 16-bit storage formats for optimizer state, bit for bit as shaders/state_f16.wgsl and
 * shaders/state_bf16.wgsl store them: round to nearest, ties to even, from the f32 value.
 * f16 (IEEE binary16) keeps subnormals, overflows to ±inf (|x| ≥ 65520) and turns NaN into a
 * quiet NaN that keeps the sign and the top payload bits; bf16 is the top half of the f32 with
 * the same rounding and NaN handling. Widening back to f32 is exact.
 */
import type { StateDtype } from './stateDict.ts';

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The bits of `x` rounded to f32. */
export function f32Bits(x: number): number {
  scratch[0] = x;
  return scratchBits[0] as number;
}

/** The f32 whose bits are `u`. */
export function f32FromBits(u: number): number {
  scratchBits[0] = u >>> 0;
  return scratch[0] as number;
}

/** f32 → binary16 bits, round to nearest even: the same bits as `f16_bits` in WGSL. */
export function f16Bits(x: number): number {
  const u = f32Bits(x);
  const sign = (u >>> 16) & 0x8000;
  const a = u & 0x7fffffff;
  if (a > 0x7f800000) return sign | 0x7e00 | ((a >>> 13) & 0x3ff);
  if (a >= 0x477ff000) return sign | 0x7c00;
  if (a >= 0x38800000) {
    const r = a + 0xfff + ((a >>> 13) & 1);
    return sign | ((r - 0x38000000) >>> 13);
  }
  if (a < 0x33000000) return sign;
  const e = a >>> 23;
  const m = (a & 0x7fffff) | 0x800000;
  const shift = 126 - e;
  const h = m >>> shift;
  const rem = m & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  const up = rem > half || (rem === half && (h & 1) === 1) ? 1 : 0;
  return sign | (h + up);
}

/** binary16 bits → the f32 value (exact). */
export function f16FromBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return f32FromBits(((h & 0x8000) << 16) | 0x7f800000 | (m << 13));
  return sign * (1024 + m) * 2 ** (e - 25);
}

/** f32 → bfloat16 bits, round to nearest even: (u + 0x7fff + ((u >> 16) & 1)) >> 16. */
export function bf16Bits(x: number): number {
  const u = f32Bits(x);
  if ((u & 0x7fffffff) > 0x7f800000) return (u >>> 16) | 0x40;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/** bfloat16 bits → the f32 value (exact). */
export function bf16FromBits(h: number): number {
  return f32FromBits((h & 0xffff) << 16);
}

/** `x` rounded to the nearest f16, as an f32 value. */
export function roundToF16(x: number): number {
  return f16FromBits(f16Bits(x));
}

/** `x` rounded to the nearest bf16, as an f32 value. */
export function roundToBf16(x: number): number {
  return bf16FromBits(bf16Bits(x));
}

/**
 * How a state value of `dtype` is rounded when stored (f32: Math.fround). 'q8' rounds block by
 * block after the update (src/options/q8.ts), so element by element it is f32.
 */
export function stateRounding(dtype: StateDtype): (x: number) => number {
  if (dtype === 'f16') return roundToF16;
  if (dtype === 'bf16') return roundToBf16;
  return Math.fround;
}

/** Bytes one state element takes in a StateStore ('q8' tensors live elsewhere: f32 here). */
export function stateBytesPerElement(dtype: StateDtype): 2 | 4 {
  return dtype === 'f16' || dtype === 'bf16' ? 2 : 4;
}

/** The storage types a state array may use. */
export const STATE_DTYPES: readonly StateDtype[] = ['f32', 'f16', 'bf16', 'q8'];

/** Validates a `stateDtype` option; the error names the option and the value. */
export function checkStateDtype(value: unknown, where: string): StateDtype {
  if (value === undefined) return 'f32';
  if (!STATE_DTYPES.includes(value as StateDtype)) {
    throw new RangeError(
      `${where}: stateDtype must be one of ${STATE_DTYPES.map((d) => `"${d}"`).join(', ')}, got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
  return value as StateDtype;
}

/**
 * The smallest ε the kernels use with 16-bit state (see docs/state16.md, "The ε guard").
 * A second moment below half the smallest positive 16-bit value is stored as 0, so sqrt(v)
 * loses everything under sqrt(tiny): ε is raised to that, and under the square root
 * (epsInsideSqrt) to tiny itself. f16: tiny = 2^-24, the smallest subnormal (floor
 * 2^-12 ≈ 2.4e-4 outside the root); bf16: tiny = 2^-126, the smallest normal (WGSL may flush
 * subnormals; floor 2^-63 ≈ 1e-19, below every sensible ε). f32: no floor (unchanged).
 */
export function epsFloor(dtype: StateDtype, insideSqrt: boolean): number {
  // q8: no floor, as bitsandbytes (a block's small values read back as 0 or map[1] · absmax).
  if (dtype === 'f32' || dtype === 'q8') return 0;
  const tiny = dtype === 'f16' ? 2 ** -24 : 2 ** -126;
  return insideSqrt ? tiny : Math.sqrt(tiny);
}

/**
 * A step's scalars with ε raised to `epsFloor` (when the algorithm has an ε). The GPU
 * optimizers and the reference both apply it before the uniform is written.
 */
export function guardEps<T extends object>(scalars: T, dtype: StateDtype, insideSqrt: boolean): T {
  const floor = epsFloor(dtype, insideSqrt);
  if (floor === 0 || !('eps' in scalars)) return scalars;
  return { ...scalars, eps: Math.max(scalars.eps as number, floor) };
}

/**
 * Algorithms whose ε always sits at the stored state's scale: next to the stored value itself
 * (Adamax) or under the square root with it (Adadelta).
 */
const EPS_AT_STATE_SCALE: readonly string[] = ['adamax', 'adadelta'];

/**
 * Whether `epsFloor`'s `insideSqrt` case applies to `algorithm` with options `o`: ε under the
 * square root (epsInsideSqrt; Adadelta's √(square_avg + ε) and √(acc_delta + ε)), or next to
 * a stored value that is itself the denominator (Adamax: max(β2·exp_inf, |g| + ε)), so the
 * floor is the storage type's smallest value, not its square root.
 */
export function epsAtStateScale(algorithm: string, o: object): boolean {
  return (
    EPS_AT_STATE_SCALE.includes(algorithm) || ('epsInsideSqrt' in o && o.epsInsideSqrt === true)
  );
}
