/**
 * GradScaler maths and checks, without a GPU: the scale update against torch.amp.GradScaler's
 * rules, the f32 bias corrections against f64 closed forms, the reference's skip exactness, a
 * hand-derived scaled Adam step, state-dict checks, option checks, and the control block's
 * byte layout against the three WGSL structs that share it.
 */
import { describe, expect, it } from 'vitest';
import common from '../../shaders/common.wgsl?raw';
import gradnorm from '../../shaders/gradnorm.wgsl?raw';
import gradscaler from '../../shaders/gradscaler.wgsl?raw';
import {
  CONTROL_BYTES,
  CONTROL_FIELDS,
  packControl,
  unpackControl,
} from '../../src/kernels/control.ts';
import {
  betaPowerTable,
  biasCorrection,
  checkGradScalerOptions,
  nextScalerState,
  scalerAdagradClr,
  scalerAdamaxClr,
  type GradScalerState,
} from '../../src/options/scaler.ts';
import { AdamReference, GradScalerReference, SGDReference } from '../../src/reference/index.ts';
import { GradScaler, SGD } from '../../src/index.ts';
import { fakeDevice } from './fakeDevice.ts';

function wgslFields(code: string): string[] {
  const m = /struct Control \{([^}]*)\}/.exec(code);
  if (!m) throw new Error('struct Control not found');
  return (m[1] as string)
    .split('\n')
    .map((l) => l.replace(/\/\/.*$/, '').trim())
    .filter(Boolean)
    .map((l) => l.replace(/,$/, ''));
}

const state = (over: Partial<GradScalerState> = {}): GradScalerState => ({
  scale: 65536,
  growthTracker: 0,
  growthFactor: 2,
  backoffFactor: 0.5,
  growthInterval: 3,
  ...over,
});

describe('control block layout', () => {
  it('common.wgsl, gradnorm.wgsl and gradscaler.wgsl declare the fields of CONTROL_FIELDS in order', () => {
    const expected = Object.entries(CONTROL_FIELDS).map(([n, f]) => `${n}: ${f.type}`);
    expect(wgslFields(common)).toEqual(expected);
    expect(wgslFields(gradscaler)).toEqual(expected);
    // gradnorm's check sets found_inf atomically
    expect(wgslFields(gradnorm)).toEqual(
      expected.map((f) => (f === 'found_inf: u32' ? 'found_inf: atomic<u32>' : f)),
    );
    // 12 four-byte fields back to back; the scale at byte 0, where a loss kernel binds it
    expect(Object.values(CONTROL_FIELDS).map((f) => f.offset)).toEqual(
      Array.from({ length: 12 }, (_, k) => 4 * k),
    );
    expect(CONTROL_BYTES).toBe(48);
  });

  it('packs and unpacks every field', () => {
    const view = new DataView(new ArrayBuffer(CONTROL_BYTES));
    packControl(view, { scale: 1024, found_inf: 1, growth_interval: 7, coef: 0.25 });
    expect(view.getFloat32(0, true)).toBe(1024);
    expect(view.getUint32(8, true)).toBe(1);
    expect(view.getUint32(40, true)).toBe(7);
    expect(unpackControl(view)).toMatchObject({ scale: 1024, found_inf: 1, coef: 0.25 });
  });
});

describe('scale update (torch.amp.GradScaler._amp_update_scale_)', () => {
  it('backs off and resets the tracker on inf', () => {
    expect(nextScalerState(state({ growthTracker: 2 }), true)).toMatchObject({
      scale: 32768,
      growthTracker: 0,
    });
  });

  it('grows after growthInterval clean steps in a row, and counts until then', () => {
    let s = state();
    s = nextScalerState(s, false); // tracker 1
    s = nextScalerState(s, false); // tracker 2
    expect(s).toMatchObject({ scale: 65536, growthTracker: 2 });
    s = nextScalerState(s, false); // 3 == interval: scale · 2, tracker 0
    expect(s).toMatchObject({ scale: 131072, growthTracker: 0 });
  });

  it('keeps the scale when growing it would overflow f32', () => {
    const s = nextScalerState(state({ scale: 2 ** 127, growthTracker: 2 }), false);
    expect(s).toMatchObject({ scale: 2 ** 127, growthTracker: 0 });
  });

  it('rounds a non-power-of-two backoff to f32 like the GPU', () => {
    // 3 · f32(0.3) = 3 · 0.300000011920928955 = 0.900000035762786865 (an f32), whereas
    // f32(3 · 0.3 in f64) = f32(0.8999999999999999) = 0.89999997615814209
    const s = nextScalerState(state({ scale: 3, backoffFactor: 0.3 }), true);
    expect(s.scale).toBe(0.900000035762786865);
    expect(s.scale).not.toBe(Math.fround(3 * 0.3));
  });
});

describe('bias corrections from the GPU-side step count', () => {
  it('equal 1 - beta^t in f64 to a few f32 ULPs for t up to 2^20', () => {
    for (const beta of [0.9, 0.99, 0.999, 0.9999]) {
      const table = betaPowerTable(beta);
      let worst = 0;
      for (const t of [1, 2, 3, 7, 10, 100, 1000, 4095, 65537, 1 << 20]) {
        const exact = 1 - beta ** t;
        const got = biasCorrection(table, t);
        worst = Math.max(worst, Math.abs(got - exact) / exact);
      }
      // at most popcount(t) ≤ 20 multiply-adds, each within an f32 rounding or two
      expect(worst, `beta ${beta}`).toBeLessThan(40 * 2 ** -24);
    }
  });

  it('t = 1 is f32(1 - beta) exactly, with no cancellation', () => {
    // 1 - f32(0.999) would be 0.00099998713; the table holds f32(1 - 0.999) instead
    expect(biasCorrection(betaPowerTable(0.999), 1)).toBe(Math.fround(1 - 0.999));
  });

  it('beta 0 gives 1 at every step (Adam with betas [0, ...])', () => {
    expect(biasCorrection(betaPowerTable(0), 1)).toBe(1);
    expect(biasCorrection(betaPowerTable(0), 6)).toBe(1);
  });

  it("Adagrad's clr in f32", () => {
    // t = 3: 0.1 / (1 + 2 · 0.5) = 0.05
    expect(scalerAdagradClr(0.1, 0.5, 3)).toBe(Math.fround(Math.fround(0.1) / 2));
  });

  it("Adamax's clr in f32: lr / (1 − β1^t) from the table", () => {
    // t = 1: 0.1 / f32(1 − 0.9) = 1 (to f32 rounding); t = 2: 0.1 / 0.19 = 0.52631579
    expect(scalerAdamaxClr(0.1, 0.9, 1)).toBe(Math.fround(Math.fround(0.1) / Math.fround(0.1)));
    expect(scalerAdamaxClr(0.1, 0.9, 2)).toBeCloseTo(0.1 / 0.19, 7);
    // the f32 result is within an ULP or two of the f64 one at a late step too
    expect(Math.abs(scalerAdamaxClr(2e-3, 0.9, 1000) / 2e-3 - 1)).toBeLessThan(4 * 2 ** -24);
  });
});

describe('GradScalerReference', () => {
  it('a poisoned step leaves params, state and step counts bitwise untouched', () => {
    const w = new Float32Array([1, -2, 3]);
    const scaler = new GradScalerReference({ initScale: 8 });
    const opt = new AdamReference([w], { lr: 0.1, gradScaler: scaler });
    opt.step([new Float32Array([8, 8, 8])]);
    const before = opt.stateDict();
    const params = new Float32Array(w);
    opt.step([new Float32Array([8, NaN, 8])]);
    expect(scaler.lastFoundInf).toBe(true);
    expect(w).toEqual(params);
    const after = opt.stateDict();
    expect(after.state).toEqual(before.state);
    expect(after.gradScaler?.scale).toBe(4);
  });

  it('one scaled Adam step equals the unscaled one: the first Adam step moves each param by about lr', () => {
    // scale 4, grad 2 -> unscaled 0.5; m = 0.1 · 0.5 = 0.05, v = 0.001 · 0.25 = 0.00025;
    // step_size = lr / 0.1; denom = sqrt(0.00025) / sqrt(0.001) + 1e-8 = 0.5 + 1e-8;
    // p -= (lr / 0.1) · 0.05 / 0.5 = lr
    const w = new Float32Array([1]);
    const opt = new AdamReference([w], {
      lr: 0.01,
      gradScaler: new GradScalerReference({ initScale: 4 }),
    });
    opt.step([new Float32Array([2])]);
    expect(w[0]).toBeCloseTo(0.99, 6);
  });

  it('SGD momentum waits for the first clean step to create its buffer', () => {
    // The first step is skipped, so the second is step 1 for PyTorch: buf = g, p -= lr · g.
    const w = new Float32Array([1]);
    const opt = new SGDReference([w], {
      lr: 0.1,
      momentum: 0.9,
      dampening: 0.5,
      gradScaler: new GradScalerReference({ initScale: 2 }),
    });
    opt.step([new Float32Array([Infinity])]);
    opt.step([new Float32Array([1])]); // scale is now 1: g = 1
    expect(opt.stateDict().state[0]?.momentum_buffer?.[0]).toBe(1);
    expect(w[0]).toBe(Math.fround(1 - Math.fround(0.1)));
  });

  it('checks unscaled values: a finite grad that overflows when unscaled is skipped', () => {
    const w = new Float32Array([1]);
    const scaler = new GradScalerReference({ initScale: 2 ** -10 });
    const opt = new SGDReference([w], { lr: 0.1, gradScaler: scaler });
    opt.step([new Float32Array([3e38])]); // · 2^10 overflows f32
    expect(scaler.lastFoundInf).toBe(true);
    expect(w[0]).toBe(1);
  });

  it('serves one optimizer only', () => {
    const scaler = new GradScalerReference();
    new SGDReference([new Float32Array(1)], { gradScaler: scaler });
    expect(() => new SGDReference([new Float32Array(1)], { gradScaler: scaler })).toThrow(
      /already serves/,
    );
  });
});

describe('state dicts with a grad scaler', () => {
  const make = () =>
    new AdamReference([new Float32Array(2)], { gradScaler: new GradScalerReference() });

  it('carry the scaler state and restore it', () => {
    const a = make();
    a.step([new Float32Array([Infinity, 0])]);
    a.step([new Float32Array([1, 1])]);
    const dict = a.stateDict();
    expect(dict.gradScaler).toEqual({
      scale: 32768,
      growthTracker: 1,
      growthFactor: 2,
      backoffFactor: 0.5,
      growthInterval: 2000,
    });
    expect(dict.state[0]?.step).toBe(1);
    const b = make();
    b.loadStateDict(dict);
    expect(b.stateDict()).toEqual(dict);
  });

  it('name the field at fault', () => {
    const dict = make().stateDict();
    expect(() => make().loadStateDict({ ...dict, gradScaler: undefined })).toThrow(
      /gradScaler is missing, but a GradScaler is attached/,
    );
    expect(() =>
      make().loadStateDict({ ...dict, gradScaler: { ...state(), growthTracker: 3 } }),
    ).toThrow(/gradScaler\.growthTracker must be an integer in \[0, growthInterval\), got 3/);
    expect(() => make().loadStateDict({ ...dict, gradScaler: { ...state(), scale: 0 } })).toThrow(
      /gradScaler\.scale must be a finite f32 > 0, got 0/,
    );
    // 1e39 is finite in f64 but inf in f32, where the GPU keeps it
    expect(() =>
      make().loadStateDict({ ...dict, gradScaler: { ...state(), scale: 1e39 } }),
    ).toThrow(/gradScaler\.scale must be a finite f32 > 0, got 1e\+39/);
    expect(() =>
      make().loadStateDict({ ...dict, gradScaler: { ...state(), growthInterval: 2 ** 32 } }),
    ).toThrow(/gradScaler\.growthInterval must be an integer in \[1, 2\^32\)/);
  });
});

describe('GradScaler options', () => {
  it('fills in PyTorch defaults', () => {
    expect(checkGradScalerOptions(undefined, 'X')).toEqual({
      initScale: 65536,
      growthFactor: 2,
      backoffFactor: 0.5,
      growthInterval: 2000,
    });
  });

  it.each([
    [{ initScale: 0 }, /initScale must be a finite f32 > 0, got 0/],
    [{ initScale: 1e39 }, /initScale must be a finite f32 > 0, got 1e\+39/],
    [{ growthFactor: 1 }, /growthFactor must be > 1 as an f32, got 1/],
    // rounds to 1 in f32: the scale would never grow
    [{ growthFactor: 1.00000001 }, /growthFactor must be > 1 as an f32, got 1.00000001/],
    [{ backoffFactor: 1 }, /backoffFactor must be in \(0, 1\) as an f32, got 1/],
    // rounds to 0 in f32: one bad step would zero the scale
    [{ backoffFactor: 1e-50 }, /backoffFactor must be in \(0, 1\) as an f32, got 1e-50/],
    [{ growthInterval: 2.5 }, /growthInterval must be an integer in \[1, 2\^32\), got 2.5/],
    [{ growth_factor: 2 }, /unknown option "growth_factor"/],
  ])('rejects %o', (options, message) => {
    expect(() => checkGradScalerOptions(options as never, 'GradScaler')).toThrow(message);
  });

  it('GPU: rejects a non-GradScaler, a second optimizer on one scaler, a destroyed scaler', async () => {
    const { device, buffer } = fakeDevice();
    const p = { buffer: buffer(64), length: 4 };
    expect(() => new SGD(device, [p], { gradScaler: {} as GradScaler })).toThrow(
      /gradScaler must be a GradScaler, got object/,
    );
    const scaler = new GradScaler(device);
    const first = new SGD(device, [p], { gradScaler: scaler });
    expect(
      () => new SGD(device, [{ buffer: buffer(64), length: 4 }], { gradScaler: scaler }),
    ).toThrow(/already serves SGD/);
    // once its optimizer is destroyed, the scaler may serve another
    first.destroy();
    const second = new SGD(device, [p], { gradScaler: scaler });
    // a destroyed scaler is refused at once, before anything is recorded or restored
    scaler.destroy();
    expect(() => second.step([{ buffer: buffer(64), length: 4 }])).toThrow(
      /SGD: step\(\) called after its gradScaler was destroyed/,
    );
    const lr = second.paramGroups[0]?.lr;
    expect(() => second.loadStateDict({} as never)).toThrow(/gradScaler was destroyed/);
    expect(second.paramGroups[0]?.lr).toBe(lr);
    await expect(second.stateDict()).rejects.toThrow(/gradScaler was destroyed/);
    expect(() => new GradScaler(device, { backoffFactor: 2 })).toThrow(/backoffFactor/);
  });
});
