/**
 * GradScaler maths shared by the GPU host and the CPU reference: options and their checks,
 * the scale update (torch.amp.GradScaler's _amp_update_scale_), and the step-dependent
 * scalars the GPU computes from the count of steps actually taken (shaders/gradscaler.wgsl's
 * `prepare`), in f32 exactly as the shader does.
 */
import type {
  AdagradScalars,
  AdamScalars,
  LambScalars,
  NAdamScalars,
  RAdamScalars,
} from './scalars.ts';

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
  return betaPower(table, t).q;
}

/** beta^t (p) and 1 - beta^t (q) in f32 from the table, as `prepare` computes them. */
export function betaPower(
  table: { p: Float32Array; q: Float32Array },
  t: number,
): { p: number; q: number } {
  let p = 1;
  let q = 0;
  for (let k = 0; k < 32; k++) {
    if (bit(t, k)) {
      q = f32(q + f32(p * (table.q[k] as number)));
      p = f32(p * (table.p[k] as number));
    }
  }
  return { p, q };
}

function bit(t: number, k: number): boolean {
  return Math.floor(t / 2 ** k) % 2 === 1;
}

/** f32(0.96^(psi·2^k)) for k = 0..31, computed in f64: NAdam's momentum schedule table. */
export function nadamDecayTable(momentumDecay: number): Float32Array {
  return Float32Array.from({ length: 32 }, (_, k) => 0.96 ** (momentumDecay * 2 ** k));
}

/** 0.96^(t·psi) in f32 from the table, as `prepare` computes it. */
function decayPower(table: Float32Array, t: number): number {
  let d = 1;
  for (let k = 0; k < 32; k++) if (bit(t, k)) d = f32(d * (table[k] as number));
  return d;
}

/**
 * NAdam's step-dependent fields for step `t` and the tensor's new mu_product, from the
 * mu_product before the step (the GPU's `carried`), in f32 as `prepare` computes them.
 */
export function scalerNadamFields(
  lr: number,
  betas: readonly [number, number],
  momentumDecay: number,
  t: number,
  muProductBefore: number,
): {
  fields: Pick<NAdamScalars, 'bias_correction2' | 'grad_coef' | 'avg_coef'>;
  muProduct: number;
} {
  const table = nadamDecayTable(momentumDecay);
  const beta1 = f32(betas[0]);
  const mu = f32(beta1 * f32(1 - f32(0.5 * decayPower(table, t))));
  const muNext = f32(beta1 * f32(1 - f32(0.5 * decayPower(table, t + 1))));
  const muProduct = f32(f32(muProductBefore) * mu);
  const muProductNext = f32(muProduct * muNext);
  const nlr = -f32(lr);
  return {
    fields: {
      bias_correction2: biasCorrection(betaPowerTable(betas[1]), t),
      grad_coef: f32(f32(nlr * f32(1 - mu)) / f32(1 - muProduct)),
      avg_coef: f32(f32(nlr * muNext) / f32(1 - muProductNext)),
    },
    muProduct,
  };
}

/**
 * RAdam's step-dependent fields for step `t`, in f32 as `prepare` computes them: the
 * rectification branch is decided from the f32 rho_t (rho_inf computed on the host).
 */
export function scalerRadamFields(
  betas: readonly [number, number],
  t: number,
): Pick<RAdamScalars, 'bias_correction1' | 'bias_correction2_sqrt' | 'rect' | 'rectified'> {
  const q1 = betaPower(betaPowerTable(betas[0]), t).q;
  const two = betaPower(betaPowerTable(betas[1]), t);
  const rhoInf = f32(radamRhoInf(betas[1]));
  let rhoT: number;
  if (t <= RADAM_SMALL_T) {
    // Σ_{s<t} (2s + 1)·b^s / Σ_{s<t} b^s: the same value without the cancellation
    const b = f32(betas[1]);
    let num = 0;
    let den = 0;
    let bs = 1;
    for (let s = 0; s < t; s++) {
      num = f32(num + f32(f32(2 * s + 1) * bs));
      den = f32(den + bs);
      bs = f32(bs * b);
    }
    rhoT = f32(num / den);
  } else {
    rhoT = f32(rhoInf - f32(f32(f32(2 * f32(t)) * two.p) / two.q));
  }
  const rectified = rhoT > 5;
  const rect = rectified
    ? f32(
        Math.sqrt(
          f32(
            f32(f32(f32(rhoT - 4) * f32(rhoT - 2)) * rhoInf) /
              f32(f32(f32(rhoInf - 4) * f32(rhoInf - 2)) * rhoT),
          ),
        ),
      )
    : 0;
  return {
    bias_correction1: q1,
    bias_correction2_sqrt: f32(Math.sqrt(two.q)),
    rect,
    rectified: rectified ? 1 : 0,
  };
}

/** Steps up to which `prepare` sums RAdam's rho_t term by term (SMALL_T in gradscaler.wgsl). */
export const RADAM_SMALL_T = 256;

/** RAdam's rho_inf = 2 / (1 − beta2) − 1, in f64 (the host writes it for `prepare`). */
export function radamRhoInf(beta2: number): number {
  return 2 / (1 - beta2) - 1;
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

/**
 * LAMB's step-dependent fields for step `t`, in f32 as `prepare` computes them: Adam's code
 * with lr = 1, so its step_size output is 1 / (1 - beta1^t).
 */
export function scalerLambFields(
  betas: readonly [number, number],
  t: number,
): Pick<LambScalars, 'inv_bias_correction1' | 'bias_correction2' | 'bias_correction2_sqrt'> {
  const a = scalerAdamFields(1, betas, t);
  return {
    inv_bias_correction1: a.step_size,
    bias_correction2: a.bias_correction2,
    bias_correction2_sqrt: a.bias_correction2_sqrt,
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
