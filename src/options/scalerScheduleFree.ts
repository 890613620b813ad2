/**
 * ScheduleFreeAdamW with a GradScaler: the running numbers of src/options/scheduleFree.ts
 * (sched, lr, lr_max, weight, weight_sum, ckp1, y_coef) computed in f32 from the count of steps
 * actually taken, exactly as shaders/gradscaler.wgsl's `prepare` (ALGO 7) computes them on the
 * GPU, which carries weight_sum and lr_max per tensor and advances them only on a step that is
 * not skipped. Without a scaler the host computes the same numbers in f64 and rounds each once;
 * here every operation rounds to f32, and x^y is `powF32` (below), so the two paths differ by a
 * few ULP of each scalar (see docs/algorithms.md). weight_sum, a running sum over every step,
 * is kept as an f32 pair hi + lo (compensated summation, about 51 significant bits): a plain
 * f32 sum of a constant weight drifts by 100 ULP of ckp1 in 1000 steps and stalls near 2^24.
 */
import type { ScheduleFreeScalars } from './scheduleFree.ts';
import { betaPower, betaPowerTable } from './scaler.ts';

const f32 = Math.fround;
const bits = new DataView(new ArrayBuffer(4));

function toBits(x: number): number {
  bits.setFloat32(0, x, true);
  return bits.getUint32(0, true);
}

function fromBits(u: number): number {
  bits.setUint32(0, u >>> 0, true);
  return bits.getFloat32(0, true);
}

/** 2^k for an integer k in [-126, 127], built from its bits (`exp2i` in gradscaler.wgsl). */
function exp2i(k: number): number {
  return fromBits((k + 127) * 2 ** 23);
}

/** Exponents up to this magnitude are integer powers by repeated squaring (exact order). */
export const POW_INT_MAX = 1024;

/**
 * x^y for x >= 0 in f32, as `pow_f32` in shaders/gradscaler.wgsl computes it with +, −, ×, /
 * only (WGSL's pow() has no exact specification, so the CPU could not mirror it bit for bit):
 * y = 0 gives 1; x = 0 gives 0 (y > 0) or inf (y < 0); an integer |y| <= POW_INT_MAX is
 * binary powering (x² = x·x exactly); otherwise 2^(y · log2 x), with log2 from the exponent
 * bits and a series for the mantissa, and 2^f from a Taylor series: within a few ULP times
 * |y · log2 x| of the true value.
 */
export function powF32(xIn: number, yIn: number): number {
  const x = f32(xIn);
  const y = f32(yIn);
  if (y === 0) return 1;
  if (x === 0) return y > 0 ? 0 : Infinity;
  if (y === Math.floor(y) && Math.abs(y) <= POW_INT_MAX) {
    let result = 1;
    let b = x;
    let e = Math.abs(y);
    while (e > 0) {
      if (e % 2 === 1) result = f32(result * b);
      b = f32(b * b);
      e = Math.floor(e / 2);
    }
    return y < 0 ? f32(1 / result) : result;
  }
  // log2(x): x = m · 2^e with m in [sqrt(1/2), sqrt(2)); subnormals scaled up by 2^24 first
  let xs = x;
  let e = 0;
  if (xs < 1.1754943508222875e-38) {
    xs = f32(xs * 16777216);
    e = -24;
  }
  const u = toBits(xs);
  e += Math.floor(u / 2 ** 23) - 127;
  let m = fromBits((u % 2 ** 23) + 0x3f800000);
  if (m > f32(1.4142135)) {
    m = f32(m * 0.5);
    e += 1;
  }
  // ln m = 2s (1 + s²/3 + s⁴/5 + s⁶/7 + s⁸/9), s = (m − 1)/(m + 1), |s| <= 0.172
  const s = f32(f32(m - 1) / f32(m + 1));
  const s2 = f32(s * s);
  let poly = f32(0.11111111);
  poly = f32(f32(0.14285715) + f32(s2 * poly));
  poly = f32(f32(0.2) + f32(s2 * poly));
  poly = f32(f32(0.33333334) + f32(s2 * poly));
  poly = f32(1 + f32(s2 * poly));
  const log2m = f32(f32(f32(2 * s) * poly) * f32(1.442695));
  const z = f32(y * f32(e + log2m));
  // past these, 2^z is inf or 0 in f32; inside them n / 2 and n − n / 2 are normal exponents
  if (z >= 254) return Infinity;
  if (z <= -252) return 0;
  // 2^z = 2^n · e^(f · ln 2), n = floor(z + 0.5), f = z − n in [−0.5, 0.5] (exact)
  const n = Math.floor(f32(z + 0.5));
  const g = f32(f32(z - n) * f32(0.6931472));
  let p = f32(1 / 5040);
  for (const c of [1 / 720, 1 / 120, 1 / 24, 1 / 6, 0.5, 1, 1]) p = f32(f32(c) + f32(g * p));
  const n1 = Math.trunc(n / 2);
  return f32(f32(p * exp2i(n1)) * exp2i(n - n1));
}

/**
 * The GPU's pair for a weight sum: hi = f32(ws), lo = f32(ws − hi). For a sum the pair came
 * from (hi + lo, exact in f64: see addWeight) this gives the pair back.
 */
export function splitWeightSum(ws: number): [number, number] {
  const hi = f32(ws);
  return [hi, f32(ws - hi)];
}

/**
 * (hi, lo) + w in f32, as `add_weight` in gradscaler.wgsl: TwoSum of hi and w, its error added
 * to lo, renormalized by Fast2Sum (so hi = f32(hi + lo)), then lo's bits below 2^−51 of hi
 * are cleared (`trimLo`), so that hi + lo is exact in f64 (52 bits at most): the state dict
 * saves that sum as weightSum, and splitWeightSum recovers the pair.
 */
export function addWeight(hi: number, lo: number, w: number): [number, number] {
  const s = f32(hi + w);
  const bp = f32(s - hi);
  const err = f32(f32(hi - f32(s - bp)) + f32(w - bp));
  const lo1 = f32(lo + err);
  const hi2 = f32(s + lo1);
  const lo2 = f32(lo1 - f32(hi2 - s));
  return [hi2, trimLo(lo2, hi2)];
}

/** `lo` with its bits below 2^(e − 51) cleared, e the exponent of `hi` (`trim_lo`). */
export function trimLo(lo: number, hi: number): number {
  const eHi = Math.floor(toBits(hi) / 2 ** 23) % 256;
  const lb = toBits(lo);
  const eLo = Math.floor(lb / 2 ** 23) % 256;
  // lo's bits from 2^eLo down to 2^(eHi − 51): this many of its 24
  const keep = eLo - eHi + 52;
  if (keep >= 24) return lo;
  if (keep <= 0) return 0;
  const drop = 2 ** (24 - keep);
  return fromBits(lb - (lb % drop));
}

/** What `prepare` reads for a ScheduleFreeAdamW tensor (its inputs and carried values). */
export interface ScheduleFreeScalerInputs {
  lr: number;
  betas: readonly [number, number];
  warmupSteps: number;
  r: number;
  weightLrPower: number;
}

/** The step-dependent uniform fields `prepare` writes, and the carried values after the step. */
export interface ScheduleFreeScalerStep {
  fields: Pick<ScheduleFreeScalars, 'lr' | 'ckp1' | 'y_coef' | 'first_step' | 'bias_correction2'>;
  /** weight_sum after the step: hi + lo of the GPU's pair (exact in f64). */
  weightSum: number;
  /** lr_max after the step (f32). */
  lrMax: number;
}

/** The largest warmupSteps the GPU holds (a u32); larger ones behave the same for any step. */
export const WARMUP_MAX = 0xffffffff;

/**
 * Step `t` (1-based count of steps taken) of a tensor whose carried weight_sum and lr_max are
 * `weightSumBefore` and `lrMaxBefore`, in f32 as `prepare` computes it:
 *   sched = t / warmup_steps while t <= warmup_steps, else 1;  lr_t = lr · sched
 *   lr_max = max(lr_t, lr_max);  weight = t^r · lr_max^weight_lr_power
 *   weight_sum = weight_sum + weight (addWeight);  ckp1 = weight / hi (0 when hi is 0)
 *   y_coef = lr_t · (β1 · (1 − ckp1) − 1);  bias_correction2 = 1 − β2^t (binary powering)
 */
export function scalerScheduleFreeStep(
  o: ScheduleFreeScalerInputs,
  t: number,
  weightSumBefore: number,
  lrMaxBefore: number,
): ScheduleFreeScalerStep {
  const warmup = Math.min(o.warmupSteps, WARMUP_MAX);
  const lr = f32(o.lr);
  const sched = t <= warmup ? f32(f32(t) / f32(warmup)) : 1;
  const lrT = f32(lr * sched);
  const lrMax = Math.max(lrT, f32(lrMaxBefore));
  const weight = f32(powF32(f32(t), o.r) * powF32(lrMax, o.weightLrPower));
  const [before, lo] = splitWeightSum(weightSumBefore);
  const [hi, lo2] = addWeight(before, lo, weight);
  const ckp1 = hi !== 0 ? f32(weight / hi) : 0;
  const beta1 = f32(o.betas[0]);
  return {
    fields: {
      lr: lrT,
      ckp1,
      y_coef: f32(lrT * f32(f32(beta1 * f32(1 - ckp1)) - 1)),
      first_step: t === 1 ? 1 : 0,
      bias_correction2: betaPower(betaPowerTable(o.betas[1]), t).q,
    },
    weightSum: hi + lo2,
    lrMax,
  };
}
