/**
 * GradScaler maths shared by the GPU host and the CPU reference: options and their checks,
 * the scale update (torch.amp.GradScaler's _amp_update_scale_), and the step-dependent
 * scalars the GPU computes from the count of steps actually taken (shaders/gradscaler.wgsl's
 * `prepare`), in f32 exactly as the shader does.
 */
import type { AdagradScalars, AdamScalars } from './scalars.ts';

const f32 = Math.fround;

/** torch.amp.GradScaler's options, camelCased, with its defaults. */
export interface GradScalerOptions {
  /** The initial loss scale, finite and > 0. Default 2^16. */
  initScale?: number;
  /** Factor the scale grows by after `growthInterval` clean steps in a row, > 1. Default 2. */
  growthFactor?: number;
  /** Factor the scale shrinks by when a step finds inf or NaN, in (0, 1). Default 0.5. */
  backoffFactor?: number;
  /** Clean steps in a row before the scale grows, an integer >= 1. Default 2000. */
  growthInterval?: number;
}

export const GRAD_SCALER_DEFAULTS: Required<GradScalerOptions> = {
  initScale: 2 ** 16,
  growthFactor: 2,
  backoffFactor: 0.5,
  growthInterval: 2000,
};

/** A scaler's state, as a state dict saves it (PyTorch's GradScaler.state_dict()). */
export interface GradScalerState {
  /** The current loss scale (an f32 value). */
  scale: number;
  /** Clean steps since the scale last changed (PyTorch's `_growth_tracker`). */
  growthTracker: number;
  /** The factor the scale grows by after `growthInterval` clean steps (> 1). */
  growthFactor: number;
  /** The factor the scale backs off by after a step with inf or NaN (in (0, 1)). */
  backoffFactor: number;
  /** Clean steps in a row before the scale grows (an integer >= 1). */
  growthInterval: number;
}

/** Finite and > 0 after rounding to f32. */
function isPositiveF32(v: number): boolean {
  return Number.isFinite(f32(v)) && f32(v) > 0;
}

/** Validates scaler options, PyTorch-style; returns them with defaults filled in. */
export function checkGradScalerOptions(
  options: GradScalerOptions | undefined,
  where: string,
): Required<GradScalerOptions> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`${where}: options must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options ?? {})) {
    if (!(key in GRAD_SCALER_DEFAULTS)) {
      throw new TypeError(
        `${where}: unknown option "${key}" (expected one of ${Object.keys(GRAD_SCALER_DEFAULTS).join(', ')})`,
      );
    }
  }
  const o = { ...GRAD_SCALER_DEFAULTS, ...options };
  const num = (name: keyof GradScalerOptions, ok: (v: number) => boolean, rule: string) => {
    const v = o[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      throw new RangeError(`${where}: ${name} ${rule}, got ${String(v)}`);
    }
  };
  // The GPU keeps these as f32: each must stay in range after rounding.
  num('initScale', isPositiveF32, 'must be a finite f32 > 0');
  num('growthFactor', (v) => Number.isFinite(f32(v)) && f32(v) > 1, 'must be > 1 as an f32');
  num('backoffFactor', (v) => f32(v) > 0 && f32(v) < 1, 'must be in (0, 1) as an f32');
  num(
    'growthInterval',
    (v) => Number.isInteger(v) && v >= 1 && v <= 0xffffffff,
    'must be an integer in [1, 2^32)',
  );
  return o;
}

/** Checks a saved scaler state (from a state dict), naming the field at fault. */
export function checkGradScalerState(s: unknown, where: string): GradScalerState {
  const bad = (field: string, msg: string): never => {
    throw new Error(`${where}: invalid state dict: gradScaler.${field} ${msg}`);
  };
  if (typeof s !== 'object' || s === null) {
    throw new Error(`${where}: invalid state dict: gradScaler must be an object, got ${String(s)}`);
  }
  const x = s as Record<string, unknown>;
  const scale = x.scale;
  if (typeof scale !== 'number' || !isPositiveF32(scale)) {
    bad('scale', `must be a finite f32 > 0, got ${String(scale)}`);
  }
  const interval = x.growthInterval;
  if (
    typeof interval !== 'number' ||
    !Number.isInteger(interval) ||
    interval < 1 ||
    interval > 0xffffffff
  ) {
    bad('growthInterval', `must be an integer in [1, 2^32), got ${String(interval)}`);
  }
  const tracker = x.growthTracker;
  if (
    typeof tracker !== 'number' ||
    !Number.isInteger(tracker) ||
    tracker < 0 ||
    tracker >= (interval as number)
  ) {
    bad('growthTracker', `must be an integer in [0, growthInterval), got ${String(tracker)}`);
  }
  const growth = x.growthFactor;
  if (typeof growth !== 'number' || !Number.isFinite(f32(growth)) || !(f32(growth) > 1)) {
    bad('growthFactor', `must be > 1 as an f32, got ${String(growth)}`);
  }
  const backoff = x.backoffFactor;
  if (typeof backoff !== 'number' || !(f32(backoff) > 0 && f32(backoff) < 1)) {
    bad('backoffFactor', `must be in (0, 1) as an f32, got ${String(backoff)}`);
  }
  return {
    scale: scale as number,
    growthTracker: tracker as number,
    growthFactor: growth as number,
    backoffFactor: backoff as number,
    growthInterval: interval as number,
  };
}

/** The state after a step (`update_scale` in shaders/gradscaler.wgsl), in f32. */
export function nextScalerState(s: GradScalerState, foundInf: boolean): GradScalerState {
  if (foundInf) return { ...s, scale: f32(f32(s.scale) * f32(s.backoffFactor)), growthTracker: 0 };
  const successful = s.growthTracker + 1;
  if (successful === s.growthInterval) {
    const grown = f32(f32(s.scale) * f32(s.growthFactor));
    return { ...s, scale: Number.isFinite(grown) ? grown : s.scale, growthTracker: 0 };
  }
  return { ...s, growthTracker: successful };
}

/** f32(1 / scale), as the GPU keeps it in control.inv_scale. */
export function invScale(scale: number): number {
  return f32(1 / scale);
}

/** f32(beta^(2^k)) and f32(1 - beta^(2^k)) for k = 0..31, computed in f64. */
export function betaPowerTable(beta: number): { p: Float32Array; q: Float32Array } {
  const p = new Float32Array(32);
  const q = new Float32Array(32);
  let b = beta;
  for (let k = 0; k < 32; k++) {
    p[k] = b;
    q[k] = 1 - b;
    b *= b;
  }
  return { p, q };
}

/** 1 - beta^t in f32 from the table, as `prepare` computes it. */
export function biasCorrection(table: { p: Float32Array; q: Float32Array }, t: number): number {
  let p = 1;
  let q = 0;
  for (let k = 0; k < 32; k++) {
    if (Math.floor(t / 2 ** k) % 2 === 1) {
      q = f32(q + f32(p * (table.q[k] as number)));
      p = f32(p * (table.p[k] as number));
    }
  }
  return q;
}

/**
 * The uniform's step-dependent fields for step `t` (1-based count of steps taken), computed
 * in f32 as `prepare` does; `host` holds the f32-rounded host scalars it overwrites.
 */
export function scalerAdamFields(
  lr: number,
  betas: readonly [number, number],
  t: number,
): Pick<AdamScalars, 'step_size' | 'bias_correction2' | 'bias_correction2_sqrt'> {
  const q1 = biasCorrection(betaPowerTable(betas[0]), t);
  const q2 = biasCorrection(betaPowerTable(betas[1]), t);
  return {
    step_size: f32(f32(lr) / q1),
    bias_correction2: q2,
    bias_correction2_sqrt: f32(Math.sqrt(q2)),
  };
}

/** Adagrad's clr for step `t`, in f32 as `prepare` computes it. */
export function scalerAdagradClr(lr: number, lrDecay: number, t: number): AdagradScalars['clr'] {
  return f32(f32(lr) / f32(1 + f32(f32(t - 1) * f32(lrDecay))));
}

/** Adamax's clr for step `t`, in f32 as `prepare` computes it: lr / (1 − β1^t). */
export function scalerAdamaxClr(lr: number, beta1: number, t: number): number {
  return f32(f32(lr) / biasCorrection(betaPowerTable(beta1), t));
}
