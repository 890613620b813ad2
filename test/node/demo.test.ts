/**
 * The playground's CPU side (demo/): each surface's f32 gradient against central differences
 * of its loss, the schedules the page offers against their closed forms, the random starts,
 * the bias-correction panel's numbers (derived by hand below) and the CPU swarm's descent.
 * The GPU side (demo/gradient.wgsl stepped by the GPU optimizers) is compared with this CPU
 * swarm bitwise in test/browser/demo.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BIAS_STEPS, biasRun } from '../../demo/biasPanel.ts';
import { cpuSwarm } from '../../demo/cpuSwarm.ts';
import { DEFAULT_HYPER, LINES } from '../../demo/lines.ts';
import { DEFAULT_SCHEDULE_OPTIONS, makeSchedule } from '../../demo/scheduleChoice.ts';
import { SURFACES, surfaceNamed } from '../../demo/surfaces.ts';
import { meanLoss, startPositions } from '../../demo/swarm.ts';

describe.each(SURFACES.map((s) => [s.name, s] as const))('surface %s', (_, surface) => {
  it('has a gradient that matches central differences of its loss over a 9 × 9 grid', () => {
    const g = new Float32Array(2);
    const h = 1e-6;
    let worst = 0;
    for (let i = 0; i < 9; i++) {
      for (let j = 0; j < 9; j++) {
        // f32 grid points strictly inside the box
        const x = Math.fround(surface.x[0] + ((i + 0.5) / 9) * (surface.x[1] - surface.x[0]));
        const y = Math.fround(surface.y[0] + ((j + 0.5) / 9) * (surface.y[1] - surface.y[0]));
        surface.gradient(x, y, g);
        const fx = (surface.loss(x + h, y) - surface.loss(x - h, y)) / (2 * h);
        const fy = (surface.loss(x, y + h) - surface.loss(x, y - h)) / (2 * h);
        // f32 arithmetic: a few ulps of the largest term; 1e-5 relative covers it with room.
        worst = Math.max(
          worst,
          Math.abs((g[0] as number) - fx) / (1 + Math.abs(fx)),
          Math.abs((g[1] as number) - fy) / (1 + Math.abs(fy)),
        );
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('has zero gradient at its minima', () => {
    const g = new Float32Array(2);
    for (const [x, y] of surface.minima) {
      surface.gradient(x, y, g);
      expect([...g].map(Math.abs)).toEqual([0, 0]);
      expect(surface.loss(x, y)).toBeCloseTo(surface.fMin, 12);
    }
  });

  it('has a default lr for every line', () => {
    for (const line of LINES) expect(surface.lrs[line.name], line.name).toBeGreaterThan(0);
  });

  it('brings particle 0 of every line lower in 300 steps of the CPU swarm', async () => {
    const swarm = cpuSwarm({
      surface,
      lines: LINES,
      lrs: surface.lrs,
      hyper: DEFAULT_HYPER,
      schedule: (_t, base) => base,
      particles: 1,
      seed: 1,
    });
    const frame = await swarm.advance(300);
    const start = surface.loss(surface.start[0], surface.start[1]);
    for (const [k, line] of LINES.entries()) {
      const p = frame.positions[k] as Float32Array;
      expect(surface.loss(p[0] as number, p[1] as number), line.name).toBeLessThan(start);
    }
  });
});

describe('the swarm', () => {
  it('starts particle 0 at the shared start and the others inside the box, reproducibly', () => {
    const s = surfaceNamed('beale');
    const a = startPositions(s, 1000, 7);
    expect([a[0], a[1]]).toEqual(s.start.map(Math.fround));
    for (let i = 2; i < a.length; i += 2) {
      expect(a[i]).toBeGreaterThanOrEqual(s.x[0]);
      expect(a[i]).toBeLessThanOrEqual(s.x[1]);
      expect(a[i + 1]).toBeGreaterThanOrEqual(s.y[0]);
      expect(a[i + 1]).toBeLessThanOrEqual(s.y[1]);
    }
    expect(startPositions(s, 1000, 7)).toEqual(a);
    expect(startPositions(s, 1000, 8)).not.toEqual(a);
    expect(() => startPositions(s, 0, 1)).toThrow(/particles: expected an integer >= 1, got 0/);
  });

  it('counts diverged particles instead of averaging them', () => {
    const s = surfaceNamed('quadratic');
    // (4, 0): 16/16 + 0 = 1; (0, 3): 9; (NaN, 0) diverged
    expect(meanLoss(s, Float32Array.of(4, 0, 0, 3, NaN, 0))).toEqual({ mean: 5, diverged: 1 });
  });

  it('leaves out a line whose options are rejected, naming it, and steps the others', async () => {
    const surface = surfaceNamed('quadratic');
    const swarm = cpuSwarm({
      surface,
      lines: LINES,
      lrs: { ...surface.lrs, Momentum: surface.lrs.SGD as number, Adam: -1 },
      hyper: { ...DEFAULT_HYPER, momentum: 0 },
      schedule: (_t: number, base: number) => base,
      particles: 1,
      seed: 1,
    });
    expect(swarm.errors).toEqual([
      null,
      null,
      'sgd reference: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum=0, dampening=0',
      null,
      null,
      'lr of Adam: expected a finite number >= 0, got -1',
    ]);
    const frame = await swarm.advance(3);
    expect(frame.path.map((p) => p.length)).toEqual([6, 6, 0, 6, 6, 0]);
    expect([...(frame.positions[5] as Float32Array)]).toEqual(surface.start);
    // momentum 0 at SGD's lr: the Momentum line is SGD
    expect(frame.path[1]).toEqual(frame.path[0]);
  });
});

describe('the schedules the page offers', () => {
  const o = DEFAULT_SCHEDULE_OPTIONS; // stepSize 30, γ 0.5; γ 0.98; decayRate 0.05; tMax 200
  it.each([
    ['constant', 77, 2],
    ['step', 29, 2], // 2 · 0.5^⌊29/30⌋ = 2
    ['step', 30, 1], // 2 · 0.5^1
    ['step', 65, 0.5], // 2 · 0.5^2
    ['exponential', 10, 2 * 0.98 ** 10],
    ['inverseTime', 20, 2 / (1 + 0.05 * 20)], // = 1
    ['cosine', 100, 1], // 2 · (1 + cos(π/2)) / 2
    ['cosine', 200, 0],
  ] as const)('%s at step %i from base lr 2 is %f', (name, t, lr) => {
    expect(makeSchedule(name, o)(t, 2)).toBeCloseTo(lr, 12);
  });
});

describe('the bias-correction panel (Adam, gradient 1, betas 0.9 and 0.999)', () => {
  it('with the correction: m̂ = √v̂ = 1 and every step is lr', () => {
    const r = biasRun(0.9, 0.999, true);
    expect(r.stepOverLr).toHaveLength(BIAS_STEPS);
    // m̂_t = (1 − 0.9^t)/(1 − 0.9^t) = 1, √v̂_t = 1, step = lr · 1/(1 + 1e-8): f32 rounding only
    for (const series of [r.firstMoment, r.secondMomentRoot, r.stepOverLr]) {
      for (const v of series) expect(v).toBeCloseTo(1, 5);
    }
  });

  it('without it: m and √v start near 0 and the step is their ratio, several times lr', () => {
    const r = biasRun(0.9, 0.999, false);
    // t = 1: m = 0.1, v = 0.001, step = 0.1/√0.001 = 3.16228 lr
    expect(r.firstMoment[0]).toBeCloseTo(0.1, 6);
    expect(r.secondMomentRoot[0]).toBeCloseTo(Math.sqrt(0.001), 6);
    expect(r.stepOverLr[0]).toBeCloseTo(3.16228, 3);
    // t = 20: m = 1 − 0.9^20 = 0.878423, v = 1 − 0.999^20 = 0.0198100, step = 6.2411 lr
    expect(r.firstMoment[19]).toBeCloseTo(0.878423, 5);
    expect(r.stepOverLr[19]).toBeCloseTo(6.2411, 2);
  });
});
