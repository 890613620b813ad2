/**
 * NAdam and RAdam on the host: option checks (PyTorch's messages), createOptimizer, no new
 * objects after the first step, and NAdam's carried mu_product in state dicts and checkpoints.
 */
import { describe, expect, it } from 'vitest';
import { createOptimizer, NAdam, RAdam } from '../../src/index.ts';
import { GradScalerReference, NAdamReference, RAdamReference } from '../../src/reference/index.ts';
import { deserializeStateDict, serializeStateDict } from '../../src/options/checkpoint.ts';
import { resolveOptions } from '../../src/options/validate.ts';
import { fakeDevice } from './fakeDevice.ts';

describe('NAdam and RAdam options', () => {
  it("fill in torch's defaults", () => {
    expect(resolveOptions('nadam', {}, 'NAdam')).toEqual({
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      momentumDecay: 4e-3,
      decoupledWeightDecay: false,
      maximize: false,
    });
    expect(resolveOptions('radam', {}, 'RAdam')).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      decoupledWeightDecay: false,
      maximize: false,
    });
  });

  it('reject bad values with messages that name the option and the value', () => {
    expect(() => resolveOptions('nadam', { momentumDecay: -1 }, 'NAdam')).toThrow(
      /NAdam: Invalid momentumDecay value: -1/,
    );
    expect(() => resolveOptions('radam', { betas: [0.9, 1] }, 'RAdam')).toThrow(
      /Invalid beta parameter at index 1: 1/,
    );
    expect(() => resolveOptions('nadam', { eps: 0 }, 'NAdam')).toThrow(/Invalid epsilon value/);
    expect(() => resolveOptions('radam', { lr: -1 }, 'RAdam')).toThrow(/Invalid learning rate/);
    expect(() => resolveOptions('nadam', { decoupledWeightDecay: 1 as never }, 'NAdam')).toThrow(
      /decoupledWeightDecay must be a boolean/,
    );
    // Adam's options that these do not have are typos here
    expect(() => resolveOptions('radam', { amsgrad: true } as never, 'RAdam')).toThrow(
      /unknown option "amsgrad" for radam/,
    );
    expect(() => resolveOptions('radam', { momentumDecay: 0.1 } as never, 'RAdam')).toThrow(
      /unknown option "momentumDecay"/,
    );
  });
});

describe('NAdam and RAdam GPU classes (fake device)', () => {
  it('createOptimizer builds them under their lower-case names', () => {
    const f = fakeDevice();
    const params = [{ buffer: f.buffer(64), length: 4 }];
    const n = createOptimizer('nadam', f.device, params, { lr: 0.01 });
    const r = createOptimizer('radam', f.device, params, { decoupledWeightDecay: true });
    expect(n).toBeInstanceOf(NAdam);
    expect(r).toBeInstanceOf(RAdam);
    expect([n.algorithm, r.algorithm]).toEqual(['nadam', 'radam']);
  });

  it('a second step creates no buffer, bind group or pipeline', () => {
    for (const make of [
      (d: GPUDevice, p: never) => new NAdam(d, p),
      (d: GPUDevice, p: never) => new RAdam(d, p),
    ]) {
      const f = fakeDevice();
      const opt = make(f.device, [{ buffer: f.buffer(64), length: 16 }] as never);
      const grads = [{ buffer: f.buffer(64), length: 16 }];
      opt.step(grads);
      const before = { ...f.counts };
      opt.step(grads);
      expect(f.counts.buffers).toBe(before.buffers);
      expect(f.counts.bindGroups).toBe(before.bindGroups);
      expect(f.counts.pipelines).toBe(before.pipelines);
      expect(f.counts.dispatches).toBeGreaterThan(before.dispatches);
    }
  });
});

describe("NAdam's mu_product in state dicts", () => {
  const run = () => {
    const ref = new NAdamReference([new Float32Array([1, 2, 3])], { lr: 0.01 });
    for (const g of [0.5, -0.25, 0.125]) ref.step([new Float32Array([g, g, g])]);
    return ref;
  };

  it('is saved per tensor, restored by loadStateDict, and survives a binary checkpoint', () => {
    const a = run();
    const dict = a.stateDict();
    expect(typeof dict.state[0]?.mu_product).toBe('number');
    const back = deserializeStateDict(serializeStateDict(dict));
    expect(back.state[0]?.mu_product).toBe(dict.state[0]?.mu_product);
    // a fresh optimizer loaded from the checkpoint continues exactly as the original
    const b = new NAdamReference([new Float32Array(a.params[0] as Float32Array)], { lr: 0.01 });
    b.loadStateDict(back);
    a.step([new Float32Array([0.3, 0.3, 0.3])]);
    b.step([new Float32Array([0.3, 0.3, 0.3])]);
    expect(b.params[0]).toEqual(a.params[0]);
    expect(b.stateDict().state[0]?.mu_product).toBe(a.stateDict().state[0]?.mu_product);
  });

  it('a state dict without it, or with a non-finite one, is rejected by name', () => {
    const dict = run().stateDict();
    const fresh = () => new NAdamReference([new Float32Array(3)], { lr: 0.01 });
    const { mu_product: _drop, ...rest } = dict.state[0] as Record<string, unknown>;
    expect(() => fresh().loadStateDict({ ...dict, state: [rest as never] })).toThrow(
      /state\[0\]\.mu_product must be a finite number, got undefined/,
    );
    expect(() =>
      fresh().loadStateDict({ ...dict, state: [{ ...dict.state[0], mu_product: NaN } as never] }),
    ).toThrow(/mu_product must be a finite number, got NaN/);
  });

  it('a step the GradScaler skips advances neither the step count nor mu_product', () => {
    const scaler = new GradScalerReference({ initScale: 4 });
    const ref = new NAdamReference([new Float32Array(2)], { gradScaler: scaler });
    ref.step([new Float32Array([4, 4])]);
    const before = ref.stateDict().state[0];
    ref.step([new Float32Array([NaN, 4])]);
    expect(scaler.lastFoundInf).toBe(true);
    expect(ref.stateDict().state[0]).toEqual(before);
    ref.step([new Float32Array([2, 2])]);
    // the clean step is step 2: mu_product = mu_1·mu_2, from the scaler's f32 prepare path
    expect(ref.stateDict().state[0]?.step).toBe(2);
    expect(ref.stateDict().state[0]?.mu_product).toBeCloseTo(0.45007347 * 0.45014694, 6);
  });

  it('RAdam keeps no mu_product, and rejects one', () => {
    const ref = new RAdamReference([new Float32Array(2)]);
    ref.step([new Float32Array([1, 1])]);
    const dict = ref.stateDict();
    expect(dict.state[0]).not.toHaveProperty('mu_product');
    expect(() =>
      ref.loadStateDict({ ...dict, state: [{ ...dict.state[0], mu_product: 1 } as never] }),
    ).toThrow(/state\[0\]\.mu_product is not kept for this tensor/);
  });
});
