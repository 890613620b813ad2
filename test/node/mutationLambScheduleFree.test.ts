/**
 * Checks the Stryker run found missing in LAMB's and ScheduleFreeAdamW's code
 * (docs/mutation.md): LAMB's GradScaler scalars, its weight-decay guard, Schedule-Free's step
 * check, its eval weight at beta1 = 0, the scratch state names, the reference's tensorState
 * range check, eval() before any step and the eval/train round trip. (The reference's
 * gradScaler rejection is gone: a GradScalerReference now works, test/node/scheduleFreeScaler.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { GradScalerReference, lambKernel } from '../../src/reference/index.ts';
import { LAMBReference } from '../../src/reference/classes.ts';
import { ScheduleFreeAdamWReference } from '../../src/reference/scheduleFreeOptimizer.ts';
import { roundScalars } from '../../src/reference/f32.ts';
import { lambScalars } from '../../src/options/scalars.ts';
import { scalerLambFields } from '../../src/options/scaler.ts';
import { modeWeights, scheduleFreeRunning } from '../../src/options/scheduleFree.ts';
import { resolveOptions, scratchStateNames } from '../../src/options/validate.ts';
import type { OptionsByAlgorithm, Resolved } from '../../src/options/types.ts';

const f = Math.fround;

describe('LAMB', () => {
  it('scalerLambFields: the f32 bias corrections of step 1', () => {
    // betas (0.9, 0.999), t = 1: the table holds 1 − beta rounded once to f32, then f32 ops:
    //   f32(1 − 0.9) = 0.1 (f32 0.100000001), 1 / that = 9.99999985 → f32 10
    //   f32(1 − 0.999) = 0.001 (f32 0.00100000005); its sqrt 0.0316227767 → f32
    const q1 = f(1 - 0.9);
    const q2 = f(1 - 0.999);
    expect(scalerLambFields([0.9, 0.999], 1)).toEqual({
      inv_bias_correction1: f(1 / q1),
      bias_correction2: q2,
      bias_correction2_sqrt: f(Math.sqrt(q2)),
    });
    // at t = 10 the f32 product of table entries differs from 1 / (1 − 0.9^10) in f64, rounded
    expect(scalerLambFields([0.9, 0.999], 10).inv_bias_correction1).not.toBe(
      f(1 / (1 - 0.9 ** 10)),
    );
  });

  it('a step with a GradScaler (scale 1) uses the f32 scalars, one without the f64 ones', () => {
    const o = resolveOptions('lamb', { lr: 0.5, weightDecay: 0.5 }, 'test') as Resolved<
      OptionsByAlgorithm['lamb']
    >;
    const grads = Array.from({ length: 40 }, (_, k) => [((k * 7) % 5) - 2.3, 0.5 + k / 10]);
    const composed = (scaled: boolean): number[][] => {
      const p = new Float32Array([1, -2]);
      const m = new Float32Array(2);
      const v = new Float32Array(2);
      return grads.map((g, k) => {
        const u = roundScalars(lambScalars(o, k + 1));
        if (scaled) Object.assign(u, scalerLambFields(o.betas, k + 1));
        lambKernel(p, new Float32Array(g), m, v, u, { maximize: false });
        return Array.from(p);
      });
    };
    const run = (scaler?: GradScalerReference): number[][] => {
      const p = new Float32Array([1, -2]);
      const opt = new LAMBReference([p], {
        lr: 0.5,
        weightDecay: 0.5,
        ...(scaler ? { gradScaler: scaler } : {}),
      });
      return grads.map((g) => {
        opt.step([new Float32Array(g)]);
        return Array.from(p);
      });
    };
    const withScaler = composed(true);
    const without = composed(false);
    // the two paths differ somewhere, or this test could not tell them apart
    expect(JSON.stringify(withScaler)).not.toBe(JSON.stringify(without));
    expect(run(new GradScalerReference({ initScale: 1 }))).toEqual(withScaler);
    expect(run()).toEqual(without);
  });

  it('f16 state: the stored exp_avg is rounded to f16', () => {
    // one step from p = 1 with g = 0.5: exp_avg = (1 − 0.9)·0.5 = 0.0500000007 in f32, which
    // f16 rounds to 0.04998779296875 (1638 · 2^-15); f32 state would keep the f32 bits
    const opt = new LAMBReference([new Float32Array([1])], { stateDtype: 'f16' });
    opt.step([new Float32Array([0.5])]);
    expect(opt.stateDict().state[0]?.exp_avg?.[0]).toBe(0.04998779296875);
  });

  it('weightDecay 0 adds no decay term, not 0·p (0·∞ would be NaN)', () => {
    // p = [∞, 1], g = [1, 1], step 1: u = m̂/(sqrt(v̂)+ε) is finite for both elements (no decay
    // term), ‖p‖ = ∞ and ‖u‖ finite, so the trust ratio is ∞ and p[1] = 1 − lr·∞·u[1] = −∞
    // (u[1] > 0). Adding 0·p would make u[0] = NaN, ‖u‖ = NaN and p[1] NaN.
    const p = new Float32Array([Infinity, 1]);
    new LAMBReference([p], { weightDecay: 0 }).step([new Float32Array([1, 1])]);
    expect(p[1]).toBe(-Infinity);
  });
});

describe('ScheduleFreeAdamW', () => {
  const o = resolveOptions('schedulefreeadamw', {}, 'test') as Resolved<
    OptionsByAlgorithm['schedulefreeadamw']
  >;

  it('scheduleFreeRunning rejects steps that are not integers >= 1', () => {
    expect(() => scheduleFreeRunning(o, 0)).toThrow(/step must be an integer >= 1, got 0/);
    expect(() => scheduleFreeRunning(o, 1.5)).toThrow(/step must be an integer >= 1, got 1.5/);
    expect(() => scheduleFreeRunning(o, 1)).not.toThrow();
  });

  it('modeWeights: eval weight 0 when beta1 = 0 (1 − 1/0 would be −∞)', () => {
    expect(modeWeights([0, 0.999])).toEqual({ eval_weight: 0, train_weight: 1 });
    // beta1 = 0.5: 1 − 1/0.5 = −1, 1 − 0.5 = 0.5
    expect(modeWeights([0.5, 0.999])).toEqual({ eval_weight: -1, train_weight: 0.5 });
  });

  it('keeps saved_y as scratch state; no other algorithm has any', () => {
    expect(scratchStateNames('schedulefreeadamw')).toEqual(['saved_y']);
    expect(scratchStateNames('adam')).toEqual([]);
    expect(scratchStateNames('lamb')).toEqual([]);
  });

  it('tensorState rejects an index past the last tensor', () => {
    class Probe extends ScheduleFreeAdamWReference {
      probe(i: number): unknown {
        return this.tensorState(i);
      }
    }
    const r = new Probe([new Float32Array(1)]);
    expect(r.probe(0)).toBeDefined();
    expect(() => r.probe(1)).toThrow(/no tensor 1/);
  });

  it('eval() before any step leaves the params alone (no z yet), and so does train()', () => {
    // as schedulefree's eval(): `if 'z' in state` skips tensors never stepped; z would be 0 here
    // and x = y + (1 − 1/0.9)·(z − y) would move p = 3 to 3·(1/0.9) = 3.333…
    const p = new Float32Array([3, -1]);
    const r = new ScheduleFreeAdamWReference([p]);
    r.eval();
    expect(Array.from(p)).toEqual([3, -1]);
    r.train();
    expect(Array.from(p)).toEqual([3, -1]);
  });

  it('eval() moves the params to x and train() restores y bitwise', () => {
    const p = new Float32Array([3, -1]);
    const r = new ScheduleFreeAdamWReference([p], { lr: 0.1 });
    // after one step x = y = z (c = 1); after a second they differ
    r.step([new Float32Array([0.5, -2])]);
    r.step([new Float32Array([0.25, 1])]);
    const y = Array.from(p);
    r.eval();
    expect(r.mode).toBe('eval');
    expect(Array.from(p)).not.toEqual(y);
    expect(Array.from(p).every(Number.isFinite)).toBe(true);
    r.train();
    expect(r.mode).toBe('train');
    expect(Array.from(p)).toEqual(y);
  });
});
