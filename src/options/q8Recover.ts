/**
 * The 8-bit codes behind f32 values that an 8-bit array read back as (stateDtype 'q8'), for
 * loading such values without the codes (TF.js weights carry only f32 arrays).
 *
 * `quantize` alone does not always give them back: a signed block whose largest magnitude is
 * negative read back its smallest element from code 0 as f32(map[0] · absmax), and map[0] is
 * -0.99296875, not -1 (bitsandbytes' signed map has no -1), so quantising the read-back values
 * finds an absmax 0.7% smaller and may choose other codes. Such a block's absmax a satisfies
 * f32(|map[0]| · a) = |smallest value|: the few f32 values around |smallest| / |map[0]| are
 * tried, and the first whose codes read back as exactly the given values is kept. Every other
 * block (unsigned, or with a positive largest value, whose code 255 reads back as absmax
 * itself) already comes back exactly from `quantize`: each value is an entry times the absmax,
 * its own nearest entry and its own rounding up. An array that rounds up (Q8_ROUNDED_UP) is
 * quantised by rounding up, so values that never were 8-bit (an f32 dict) are stored as the
 * kernel would store them.
 */
import {
  dequantize,
  q8Code,
  q8Value,
  Q8_BLOCK,
  q8RoundsUp,
  q8Signed,
  quantize,
  SIGNED_MAP,
  type Quantized,
} from './q8.ts';
import type { TensorState } from './stateDict.ts';
import type { Algorithm, StateName } from './types.ts';

const word = new Float32Array(1);
const bitsOf = new Int32Array(word.buffer);

/** The f32 `steps` units in the last place away from positive `x`. */
function ulpStep(x: number, steps: number): number {
  word[0] = x;
  bitsOf[0] = (bitsOf[0] as number) + steps;
  return word[0] as number;
}

function same(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Codes and absmax that read back as exactly `values` when some 8-bit array did; otherwise
 * (values that never were 8-bit) what `quantize` gives. `up`: the array rounds up (unsigned).
 */
export function recoverQuantized(values: Float32Array, signed: boolean, up = false): Quantized {
  const q = quantize(values, signed, up);
  if (!signed) return q;
  const back = dequantize(q, signed);
  const low = -(SIGNED_MAP[0] as number);
  for (let start = 0; start < values.length; start += Q8_BLOCK) {
    const end = Math.min(values.length, start + Q8_BLOCK);
    let exact = true;
    let smallest = 0;
    for (let i = start; i < end; i++) {
      const v = values[i] as number;
      if (!same(back[i] as number, v)) exact = false;
      if (v < smallest) smallest = v;
    }
    if (exact || !(smallest < 0) || !Number.isFinite(smallest)) continue;
    const guess = Math.fround(-smallest / low);
    for (const steps of [0, -1, 1, -2, 2]) {
      const a = ulpStep(guess, steps);
      if (Math.fround(low * a) !== -smallest) continue;
      let ok = true;
      const codes: number[] = [];
      for (let i = start; i < end && ok; i++) {
        const c = q8Code(values[i] as number, a, true);
        codes.push(c);
        ok = same(q8Value(c, a, true), values[i] as number);
      }
      if (!ok) continue;
      q.codes.set(codes, start);
      (q.absmax as Float32Array)[start / Q8_BLOCK] = a;
      break;
    }
  }
  return q;
}

/**
 * The codes and absmax to load for state array `name` of `algorithm` from a state dict's
 * tensor entry: its saved `q8` codes when present (a bitwise resume), else its f32 values'
 * (recoverQuantized: exact when they were read back from an 8-bit array, quantised as the
 * kernel stores them otherwise).
 */
export function loadedQuantized(
  entry: TensorState,
  algorithm: Algorithm,
  name: StateName,
): Quantized {
  return (
    entry.q8?.[name] ??
    recoverQuantized(entry[name] as Float32Array, q8Signed(name), q8RoundsUp(algorithm, name))
  );
}
