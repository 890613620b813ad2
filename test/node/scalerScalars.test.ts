/**
 * src/options/scaler.ts: the GradScaler's option and state checks at their f32 boundaries
 * (whole messages), its update rule, and the per-step scalars the GPU derives from a step count
 * it reads on the device (bias corrections by binary powering, Adagrad's clr).
 */
import { describe, expect, it } from 'vitest';
import {
  GRAD_SCALER_DEFAULTS,
  betaPowerTable,
  biasCorrection,
  checkGradScalerOptions,
  checkGradScalerState,
  invScale,
  nextScalerState,
  scalerAdagradClr,
  scalerAdamFields,
} from '../../src/options/scaler.ts';

const f32 = Math.fround;
const W = 'GradScaler';
const F32_MAX = 3.4028234663852886e38;

describe('checkGradScalerOptions', () => {
  it("fills PyTorch's defaults", () => {
    expect(GRAD_SCALER_DEFAULTS).toEqual({
      initScale: 65536,
      growthFactor: 2,
      backoffFactor: 0.5,
      growthInterval: 2000,
    });
    expect(checkGradScalerOptions(undefined, W)).toEqual(GRAD_SCALER_DEFAULTS);
    expect(checkGradScalerOptions({ growthInterval: 5 }, W)).toEqual({
      ...GRAD_SCALER_DEFAULTS,
      growthInterval: 5,
    });
  });

  it('rejects what is not an options object, and unknown names', () => {
    expect(() => checkGradScalerOptions(null as never, W)).toThrowError(
      new TypeError(`${W}: options must be an object, got null`),
    );
    expect(() => checkGradScalerOptions(3 as never, W)).toThrowError(
      new TypeError(`${W}: options must be an object, got 3`),
    );
    expect(() => checkGradScalerOptions({ scale: 2 } as never, W)).toThrowError(
      new TypeError(
        `${W}: unknown option "scale" (expected one of initScale, growthFactor, backoffFactor, growthInterval)`,
      ),
    );
  });

  const ok = (o: object) => () => checkGradScalerOptions(o, W);
  const range = (msg: string) => new RangeError(`${W}: ${msg}`);

  it('initScale: a finite f32 > 0', () => {
    expect(ok({ initScale: 1e-45 })).not.toThrow();
    expect(ok({ initScale: F32_MAX })).not.toThrow();
    for (const v of [0, -1, 1e-46, 3.5e38, Infinity, NaN])
      expect(ok({ initScale: v })).toThrowError(
        range(`initScale must be a finite f32 > 0, got ${String(v)}`),
      );
    expect(ok({ initScale: '2' })).toThrowError(range('initScale must be a finite f32 > 0, got 2'));
  });

  it('growthFactor: > 1 as an f32', () => {
    expect(ok({ growthFactor: 1.0000002 })).not.toThrow();
    expect(ok({ growthFactor: F32_MAX })).not.toThrow();
    for (const v of [1, 1 + 1e-9, 0.5, 3.5e38])
      expect(ok({ growthFactor: v })).toThrowError(
        range(`growthFactor must be > 1 as an f32, got ${String(v)}`),
      );
  });

  it('backoffFactor: in (0, 1) as an f32', () => {
    expect(ok({ backoffFactor: 1e-45 })).not.toThrow();
    expect(ok({ backoffFactor: 0.99999994 })).not.toThrow();
    for (const v of [0, 1, 1e-46, 1 - 1e-9, -0.5])
      expect(ok({ backoffFactor: v })).toThrowError(
        range(`backoffFactor must be in (0, 1) as an f32, got ${String(v)}`),
      );
  });

  it('growthInterval: an integer in [1, 2^32)', () => {
    expect(ok({ growthInterval: 1 })).not.toThrow();
    expect(ok({ growthInterval: 2 ** 32 - 1 })).not.toThrow();
    for (const v of [0, 2 ** 32, 1.5, -1])
      expect(ok({ growthInterval: v })).toThrowError(
        range(`growthInterval must be an integer in [1, 2^32), got ${String(v)}`),
      );
  });
});

describe('checkGradScalerState', () => {
  const good = {
    scale: 1024,
    growthTracker: 3,
    growthFactor: 2,
    backoffFactor: 0.5,
    growthInterval: 4,
  };
  const bad = (field: string, msg: string) =>
    new Error(`${W}: invalid state dict: gradScaler.${field} ${msg}`);
  const check = (s: unknown) => () => checkGradScalerState(s, W);

  it('returns exactly the five fields', () => {
    expect(checkGradScalerState({ ...good, extra: 1 }, W)).toStrictEqual(good);
    expect(check({ ...good, growthTracker: 0 })).not.toThrow();
    expect(check({ ...good, growthInterval: 2 ** 32 - 1 })).not.toThrow();
    expect(check({ ...good, growthInterval: 1, growthTracker: 0 })).not.toThrow();
  });

  it('names the field at fault and its value', () => {
    expect(check(null)).toThrowError(
      new Error(`${W}: invalid state dict: gradScaler must be an object, got null`),
    );
    expect(check('x')).toThrowError(
      new Error(`${W}: invalid state dict: gradScaler must be an object, got x`),
    );
    for (const v of [0, 3.5e38, '1', -2])
      expect(check({ ...good, scale: v })).toThrowError(
        bad('scale', `must be a finite f32 > 0, got ${String(v)}`),
      );
    for (const v of [0, 2 ** 32, 2.5, '4'])
      expect(check({ ...good, growthInterval: v, growthTracker: 0 })).toThrowError(
        bad('growthInterval', `must be an integer in [1, 2^32), got ${String(v)}`),
      );
    for (const v of [4, -1, 1.5, '1'])
      expect(check({ ...good, growthTracker: v })).toThrowError(
        bad('growthTracker', `must be an integer in [0, growthInterval), got ${String(v)}`),
      );
    for (const v of [1, 1 + 1e-9, 3.5e38, '2'])
      expect(check({ ...good, growthFactor: v })).toThrowError(
        bad('growthFactor', `must be > 1 as an f32, got ${String(v)}`),
      );
    for (const v of [0, 1, 1 - 1e-9, 1e-46, '0.5'])
      expect(check({ ...good, backoffFactor: v })).toThrowError(
        bad('backoffFactor', `must be in (0, 1) as an f32, got ${String(v)}`),
      );
  });
});

describe('nextScalerState (torch.amp.GradScaler.update)', () => {
  const s = {
    scale: 1024,
    growthTracker: 2,
    growthFactor: 2,
    backoffFactor: 0.25,
    growthInterval: 4,
  };
  it('backs off and resets the tracker on inf/NaN', () => {
    expect(nextScalerState(s, true)).toEqual({ ...s, scale: 256, growthTracker: 0 });
  });
  it('counts successful steps, and grows on the growthInterval-th', () => {
    expect(nextScalerState(s, false)).toEqual({ ...s, growthTracker: 3 });
    expect(nextScalerState({ ...s, growthTracker: 3 }, false)).toEqual({
      ...s,
      scale: 2048,
      growthTracker: 0,
    });
  });
  it('keeps the scale when growing would overflow f32', () => {
    const big = { ...s, scale: 2 ** 127, growthTracker: 3 };
    expect(nextScalerState(big, false)).toEqual({ ...big, growthTracker: 0 });
  });
  it('rounds through f32 as the GPU does', () => {
    const r = nextScalerState({ ...s, scale: 3, backoffFactor: 0.1 }, true);
    expect(r.scale).toBe(f32(3 * f32(0.1)));
    expect(invScale(3)).toBe(f32(1 / 3));
  });
});

describe('bias corrections from the step count, by binary powering in f32', () => {
  it('the table holds beta^(2^k) and 1 − beta^(2^k)', () => {
    const { p, q } = betaPowerTable(0.5);
    expect(p.length).toBe(32);
    expect(Array.from(p.slice(0, 4))).toEqual([0.5, 0.25, 0.0625, 0.00390625]);
    expect(Array.from(q.slice(0, 4))).toEqual([0.5, 0.75, 0.9375, 0.99609375]);
  });

  it('is exactly 1 − 0.5^t where that is an f32', () => {
    const t5 = betaPowerTable(0.5);
    for (let t = 1; t <= 24; t++) expect(biasCorrection(t5, t), `t=${t}`).toBe(1 - 0.5 ** t);
    expect(biasCorrection(t5, 0)).toBe(0);
  });

  it('is within a few f32 ULPs of 1 − beta^t for the usual betas, up to 2^31 steps', () => {
    for (const beta of [0.9, 0.999, 0.95]) {
      const table = betaPowerTable(beta);
      for (const t of [1, 2, 3, 7, 10, 100, 1000, 12345, 2 ** 20 + 3, 2 ** 31 - 1]) {
        const exact = 1 - beta ** t;
        const got = biasCorrection(table, t);
        expect(Math.abs(got - exact), `beta ${beta} t ${t}`).toBeLessThanOrEqual(
          8 * 2 ** -24 * Math.max(exact, 2 ** -10) + 1e-9 * (1 - exact),
        );
      }
    }
  });

  it('gives Adam step_size = lr / bc1, bc2 and √bc2, and Adagrad clr = lr / (1 + (t − 1)·lrDecay)', () => {
    const f = scalerAdamFields(0.1, [0.5, 0.75], 2);
    expect(f.step_size).toBe(f32(0.1 / 0.75));
    expect(f.bias_correction2).toBe(f32(1 - 0.5625));
    expect(f.bias_correction2_sqrt).toBe(f32(Math.sqrt(0.4375)));
    expect(scalerAdagradClr(0.1, 0.5, 1)).toBe(f32(0.1));
    expect(scalerAdagradClr(0.1, 0.5, 3)).toBe(f32(f32(0.1) / 2));
    expect(scalerAdagradClr(0.3, 0.25, 5)).toBe(f32(f32(0.3) / 2));
  });
});
