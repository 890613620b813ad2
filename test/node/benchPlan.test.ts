/**
 * The benchmark's planner (bench/plan.ts, costModel.ts, repPlan.ts, planText.ts) on hand-made
 * calibrations: a fast GPU, this 2-core SwiftShader box, and a heavily loaded one.
 */
import { describe, expect, it } from 'vitest';
import { cpuCost, oursCost, tfjsCost, type Calibration } from '../../bench/costModel.ts';
import {
  CLOSING_S,
  MODES,
  planBench,
  scalingReusesTiny,
  type BenchPlan,
  type PlanRequest,
} from '../../bench/plan.ts';
import { describeCalibration, describePlan, duration } from '../../bench/planText.ts';
import { anotherRep } from '../../bench/repPlan.ts';
import { FEATURE_VARIANTS } from '../../bench/featureVariants.ts';

const fastGpu: Calibration = {
  kernelGBps: 500,
  copyGBps: 800,
  submitMs: 0.05,
  cpuGBps: 8,
  tfOpMs: 0.01,
  probeMs: 800,
};
// What this machine's probe printed on a quiet moment and on a busy one (load average ~20).
const swiftShader: Calibration = {
  kernelGBps: 2.3,
  copyGBps: 14,
  submitMs: 0.3,
  cpuGBps: 1.5,
  tfOpMs: 0.03,
  probeMs: 2500,
};
const loaded: Calibration = { ...swiftShader, kernelGBps: 0.33, copyGBps: 2.1, cpuGBps: 0.7 };

function request(over: Partial<PlanRequest> = {}): PlanRequest {
  return {
    mode: 'default',
    algorithms: ['sgd', 'adagrad', 'rmsprop', 'adam', 'adamw'],
    scenarios: ['big', 'model', 'tiny'],
    peers: { tfjs: true, plainJs: true, reference: true },
    featureCosts: 'model',
    tinyScaling: [50, 500],
    elapsedS: 8,
    ...over,
  };
}

const sumS = (p: BenchPlan) => Object.values(p.units).reduce((a, u) => a + u.estMs, 0) / 1000;

describe('repetitions and their time box', () => {
  const plan = { steps: 1, reps: 7, minReps: 3, budgetMs: 100 };
  it('always runs the fewest repetitions', () => {
    expect(anotherRep(plan, 0, 0, 0)).toBe(true);
    expect(anotherRep(plan, 2, 1000, 500)).toBe(true);
  });
  it('then stops before a repetition that would end past the budget', () => {
    // 3 done in 60 ms, the last 20 ms: a 4th ends at 80 ≤ 100; at 90 ms it would end at 110
    expect(anotherRep(plan, 3, 60, 20)).toBe(true);
    expect(anotherRep(plan, 3, 90, 20)).toBe(false);
  });
  it('never runs more than reps, and without a budget runs exactly reps', () => {
    expect(anotherRep(plan, 7, 0, 0)).toBe(false);
    expect(anotherRep({ steps: 20, reps: 7 }, 6, 1e9, 1e9)).toBe(true);
    expect(anotherRep({ steps: 20, reps: 7 }, 7, 0, 0)).toBe(false);
  });
});

describe('cost model', () => {
  const c: Calibration = { ...swiftShader, kernelGBps: 1, submitMs: 0, cpuGBps: 0.5, tfOpMs: 0.1 };
  it('prices our step by its bytes at the copy kernel bandwidth', () => {
    // 28 B × 1e6 params at 1 GB/s (1e6 B/ms) = 28 ms
    expect(oursCost(c, 1e6, 28).stepMs).toBeCloseTo(28, 9);
  });
  it("prices TF.js's step by its ops' bytes and their per-op cost", () => {
    // Adam: 14 ops × (12 B × 1e6 / 1e6 B/ms + 100 tensors × 4 × 0.1 ms) = 14 × 52 = 728 ms
    // (an op in applyGradients costs TFJS_OP_FACTOR = 4 × the probe's bare add)
    expect(tfjsCost(c, 1e6, 100, 14).stepMs).toBeCloseTo(728, 9);
  });
  it('prices the CPU peers by the plain JS loop bandwidth', () => {
    // 28 B × 1e6 at 0.5 GB/s = 56 ms; the reference 1.3× that
    expect(cpuCost(c, 1e6, 28).stepMs).toBeCloseTo(56, 9);
    expect(cpuCost(c, 1e6, 28, 1.3).stepMs).toBeCloseTo(72.8, 9);
  });
});

describe('plan', () => {
  it('runs everything at full size on a fast GPU, with enough steps per repetition to time', () => {
    const p = planBench(request(), fastGpu);
    expect(p.bigLog2).toBe(24);
    expect(p.featureCosts).toBe('model');
    expect(p.fewestPeerReps).toBe(false);
    expect(p.estimateS).toBeLessThanOrEqual(180);
    // a 2^24 Adam step: 28 B × 2^24 / 5e8 B/ms ≈ 0.94 ms + 0.05: 50 ms needs 51 steps
    expect(p.units['ours/big/adam']).toMatchObject({ steps: 51, reps: 7, minReps: 3 });
    expect(p.units['ours/big/adam']?.budgetMs).toBeGreaterThan(0);
  });
  it('shrinks big to fit 3 minutes on SwiftShader, and --quick to fit 80 s', () => {
    const d = planBench(request(), swiftShader);
    expect(d.estimateS).toBeLessThanOrEqual(MODES.default.budgetS as number);
    const q = planBench(request({ mode: 'quick' }), swiftShader);
    expect(q.estimateS).toBeLessThanOrEqual(MODES.quick.budgetS as number);
    expect(q.bigLog2).toBeLessThanOrEqual(d.bigLog2);
    expect(q.bigLog2).toBeGreaterThanOrEqual(20);
  });
  it('budgets the 8-bit state row at its SwiftShader cost, and still fits 3 minutes', () => {
    // 'q8' moves 16.06 B against Adam's 28 but runs ~16× slower on SwiftShader: planFactor 30
    // prices it at 30 · 16.06 / 28 ≈ 17× Adam's step; with the factor 2 of the other variants
    // it would be priced at 1.15×.
    const d = planBench(request(), swiftShader);
    const q8 = FEATURE_VARIANTS.findIndex((v) => v.options.stateDtype === 'q8');
    const q8Unit = d.units[`feature/${q8}`];
    const adamUnit = d.units['feature/0'];
    expect(q8Unit?.estMs).toBeGreaterThan(8 * (adamUnit?.estMs ?? Infinity));
    expect(d.estimateS).toBeLessThanOrEqual(MODES.default.budgetS as number);
  });
  it('moves the feature costs to big, then cuts peer repetitions, on a loaded machine', () => {
    const q = planBench(request({ mode: 'quick' }), loaded);
    expect(q.bigLog2).toBe(20);
    expect(q.featureCosts).toBe('big');
    expect(q.fewestPeerReps).toBe(true);
    expect(q.units['tfjs/model/adam']?.minReps).toBe(1);
  });
  it('estimates the start-up, every measurement and the closing', () => {
    const p = planBench(request({ elapsedS: 12 }), swiftShader);
    expect(p.estimateS).toBeCloseTo(12 + sumS(p) + CLOSING_S, 6);
  });
  it('keeps --full fixed: big 2^24, 20 steps × 7 repetitions, no time box', () => {
    const p = planBench(request({ mode: 'full' }), loaded);
    expect(p.budgetS).toBeNull();
    expect(p.bigLog2).toBe(24);
    expect(p.units['ours/model/sgd']).toMatchObject({ steps: 20, reps: 7, minReps: 7 });
    expect(p.units['tfjs/big/adam']).toMatchObject({ steps: 5, reps: 3 });
    expect(p.units['plainJs/tiny/sgd']).toMatchObject({ steps: 2, reps: 3 });
    expect(Object.values(p.units).every((u) => u.budgetMs === undefined)).toBe(true);
    expect(p.estimateS).toBeGreaterThan(600); // the 22-minute run the user did not expect
  });
  it('plans the plain-SGD row under its own key, with its TF.js peer priced at 2 ops per tensor', () => {
    const p = planBench(request({ mode: 'full', algorithms: ['sgd', 'sgd-plain'] }), loaded);
    for (const name of ['big', 'model', 'tiny'])
      for (const key of ['sgd', 'sgd-plain']) {
        expect(p.units[`ours/${name}/${key}`]).toBeDefined();
        expect(p.units[`tfjs/${name}/${key}`]).toBeDefined();
      }
    // tf.train.sgd issues 2 ops per tensor, tf.train.momentum 4: fewer on the same shapes
    expect(p.units['tfjs/tiny/sgd-plain']?.estMs).toBeLessThan(
      p.units['tfjs/tiny/sgd']?.estMs as number,
    );
  });
  it('honours --steps and --reps for our measurements', () => {
    const p = planBench(request({ steps: 4, reps: 2 }), swiftShader);
    expect(p.units['ours/tiny/adam']).toMatchObject({ steps: 4, reps: 2, minReps: 2 });
    expect(p.units['ours/tiny/adam']?.budgetMs).toBeUndefined();
    expect(p.units['feature/3']).toMatchObject({ steps: 4, reps: 2 });
  });
  it('plans only what was asked for', () => {
    const p = planBench(
      request({
        algorithms: ['adam'],
        scenarios: ['model'],
        peers: { tfjs: false, plainJs: false, reference: false },
        tinyScaling: [],
      }),
      swiftShader,
    );
    expect(Object.keys(p.units).filter((k) => !k.startsWith('feature/'))).toEqual([
      'roofline/model',
      'ours/model/adam',
      // the separate-buffers column next to the arena
      'separate/model/adam',
    ]);
  });
  it("reuses the tiny scenario's Adam row for the 500-tensor scaling point", () => {
    expect(scalingReusesTiny(500, request())).toBe(true);
    expect(scalingReusesTiny(50, request())).toBe(false);
    expect(scalingReusesTiny(500, request({ scenarios: ['model'] }))).toBe(false);
    expect(scalingReusesTiny(500, request({ algorithms: ['sgd'] }))).toBe(false);
    const keys = Object.keys(planBench(request(), swiftShader).units);
    expect(keys).toContain('scaling/tfjs/50');
    expect(keys).not.toContain('scaling/ours/500');
  });
});

describe('what the run says', () => {
  it('formats durations', () => {
    expect(duration(45)).toBe('45 s');
    expect(duration(170)).toBe('2 min 50 s');
    expect(duration(180)).toBe('3 min');
    expect(duration(1320)).toBe('22 min');
  });
  it('prints the calibration', () => {
    expect(describeCalibration(swiftShader)).toBe(
      'calibration (2.5 s): vec4 copy kernel 2.30 GB/s, copyBufferToBuffer 14.00 GB/s, ' +
        'submit round trip 0.30 ms, plain JS Adam loop 1.50 GB/s, TF.js op 0.03 ms',
    );
  });
  it('says what will run, at what size, and about how long it takes', () => {
    const req = request({ mode: 'quick' });
    const text = describePlan(planBench(req, loaded), req).join('\n');
    expect(text).toContain('big: one tensor of 2^20 parameters (2^24 does not fit');
    expect(text).toContain('feature costs: on big (2^20) instead of model');
    expect(text).toMatch(/expected: about \d/);
  });
});
