/**
 * CPU peers: a plain JavaScript Float32Array loop (no f32 rounding of intermediates, one pass
 * per tensor), and webgpu-optim's own CPU reference.
 */
import type { Algorithm } from '../../src/index.ts';
import type { BenchKey } from '../algorithms.ts';
import { ReferenceOptimizer } from '../../src/reference/optimizer.ts';
import { randomPool } from '../randomPool.ts';
import { anotherRep, type RepPlan } from '../repPlan.ts';
import type { Scenario } from '../scenarios.ts';
import { stat, type Stat } from '../stats.ts';

type Step = (p: Float32Array, g: Float32Array, s: Float32Array[], t: number) => void;

/** Plain loops with the benchmark's options (see algorithms.ts). */
function plainStep(key: BenchKey): { states: number; step: Step } {
  switch (key) {
    case 'sgd-plain':
      return {
        states: 0,
        step: (p, g) => {
          for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) - 0.01 * (g[i] as number);
        },
      };
    case 'sgd':
      return {
        states: 1,
        step: (p, g, [b], t) => {
          const buf = b as Float32Array;
          for (let i = 0; i < p.length; i++) {
            const v = t === 1 ? (g[i] as number) : 0.9 * (buf[i] as number) + (g[i] as number);
            buf[i] = v;
            p[i] = (p[i] as number) - 0.01 * v;
          }
        },
      };
    case 'adagrad':
      return {
        states: 1,
        step: (p, g, [s]) => {
          const sum = s as Float32Array;
          for (let i = 0; i < p.length; i++) {
            const gi = g[i] as number;
            const v = (sum[i] as number) + gi * gi;
            sum[i] = v;
            p[i] = (p[i] as number) - (0.01 * gi) / (Math.sqrt(v) + 1e-10);
          }
        },
      };
    case 'rmsprop':
      return {
        states: 1,
        step: (p, g, [s]) => {
          const sq = s as Float32Array;
          for (let i = 0; i < p.length; i++) {
            const gi = g[i] as number;
            const v = 0.99 * (sq[i] as number) + 0.01 * gi * gi;
            sq[i] = v;
            p[i] = (p[i] as number) - (0.01 * gi) / (Math.sqrt(v) + 1e-8);
          }
        },
      };
    case 'adamax':
      return {
        states: 2,
        step: (p, g, [a, b], t) => {
          const m = a as Float32Array;
          const u = b as Float32Array;
          const clr = 0.002 / (1 - 0.9 ** t);
          for (let i = 0; i < p.length; i++) {
            const gi = g[i] as number;
            const mi = 0.9 * (m[i] as number) + 0.1 * gi;
            const ui = Math.max(0.999 * (u[i] as number), Math.abs(gi) + 1e-8);
            m[i] = mi;
            u[i] = ui;
            p[i] = (p[i] as number) - (clr * mi) / ui;
          }
        },
      };
    case 'adadelta':
      return {
        states: 2,
        step: (p, g, [a, b]) => {
          const sq = a as Float32Array;
          const acc = b as Float32Array;
          for (let i = 0; i < p.length; i++) {
            const gi = g[i] as number;
            const s = 0.9 * (sq[i] as number) + 0.1 * gi * gi;
            const d = (Math.sqrt((acc[i] as number) + 1e-6) / Math.sqrt(s + 1e-6)) * gi;
            sq[i] = s;
            acc[i] = 0.9 * (acc[i] as number) + 0.1 * d * d;
            p[i] = (p[i] as number) - d;
          }
        },
      };
    case 'lion':
      return {
        states: 1,
        step: (p, g, [a]) => {
          const m = a as Float32Array;
          for (let i = 0; i < p.length; i++) {
            const gi = g[i] as number;
            const c = 0.9 * (m[i] as number) + 0.1 * gi;
            p[i] = (p[i] as number) - 1e-4 * Math.sign(c);
            m[i] = 0.99 * (m[i] as number) + 0.01 * gi;
          }
        },
      };
    case 'nadam': {
      // lr 0.002, betas (0.9, 0.999), momentum_decay 0.004; mu_product is the same for every
      // tensor at a given step, so it is kept per step here
      const mu = (t: number) => 0.9 * (1 - 0.5 * 0.96 ** (t * 0.004));
      const products = [1];
      const product = (t: number) => {
        for (let k = products.length; k <= t; k++)
          products.push((products[k - 1] as number) * mu(k));
        return products[t] as number;
      };
      return {
        states: 2,
        step: (p, g, [a, b], t) => {
          const m = a as Float32Array;
          const v = b as Float32Array;
          const bc2 = 1 - 0.999 ** t;
          const gradCoef = (0.002 * (1 - mu(t))) / (1 - product(t));
          const avgCoef = (0.002 * mu(t + 1)) / (1 - product(t) * mu(t + 1));
          for (let i = 0; i < p.length; i++) {
            const gi = g[i] as number;
            const mi = 0.9 * (m[i] as number) + 0.1 * gi;
            const vi = 0.999 * (v[i] as number) + 0.001 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            const denom = Math.sqrt(vi / bc2) + 1e-8;
            p[i] = (p[i] as number) - (gradCoef * gi + avgCoef * mi) / denom;
          }
        },
      };
    }
    case 'radam':
      return {
        states: 2,
        step: (p, g, [a, b], t) => {
          const m = a as Float32Array;
          const v = b as Float32Array;
          const bc1 = 1 - 0.9 ** t;
          const bc2 = 1 - 0.999 ** t;
          const rhoInf = 2 / 0.001 - 1;
          const rho = rhoInf - (2 * t * 0.999 ** t) / bc2;
          const rect =
            rho > 5
              ? Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho))
              : 0;
          for (let i = 0; i < p.length; i++) {
            const gi = g[i] as number;
            const mi = 0.9 * (m[i] as number) + 0.1 * gi;
            const vi = 0.999 * (v[i] as number) + 0.001 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            const step = (0.001 * mi) / bc1;
            p[i] =
              (p[i] as number) -
              (rho > 5 ? (step * Math.sqrt(bc2) * rect) / (Math.sqrt(vi) + 1e-8) : step);
          }
        },
      };
    case 'lamb':
      // Two passes per tensor, as the GPU: the norms of p and u, then the update.
      return {
        states: 2,
        step: (p, g, [a, b], t) => {
          const m = a as Float32Array;
          const v = b as Float32Array;
          const bc1 = 1 - 0.9 ** t;
          const bc2s = Math.sqrt(1 - 0.999 ** t);
          let p2 = 0;
          let u2 = 0;
          for (let i = 0; i < p.length; i++) {
            const gi = g[i] as number;
            const mi = 0.9 * (m[i] as number) + 0.1 * gi;
            const vi = 0.999 * (v[i] as number) + 0.001 * gi * gi;
            const u = mi / bc1 / (Math.sqrt(vi) / bc2s + 1e-6);
            p2 += (p[i] as number) ** 2;
            u2 += u * u;
          }
          const ratio = p2 === 0 || u2 === 0 ? 1 : Math.sqrt(p2 / u2);
          for (let i = 0; i < p.length; i++) {
            const gi = g[i] as number;
            const mi = 0.9 * (m[i] as number) + 0.1 * gi;
            const vi = 0.999 * (v[i] as number) + 0.001 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] = (p[i] as number) - 0.001 * ratio * (mi / bc1 / (Math.sqrt(vi) / bc2s + 1e-6));
          }
        },
      };
    case 'schedulefreeadamw':
      // the benchmark's options: lr 0.0025, constant, r 0: every weight is lr², ckp1 = 1/t
      return {
        states: 2,
        step: (p, g, [a, b], t) => {
          const z = a as Float32Array;
          const v = b as Float32Array;
          const ckp1 = 1 / t;
          const bc2 = 1 - 0.999 ** t;
          const yCoef = 0.0025 * (0.9 * (1 - ckp1) - 1);
          for (let i = 0; i < p.length; i++) {
            const gi = g[i] as number;
            const zi = t === 1 ? (p[i] as number) : (z[i] as number);
            const vi = 0.999 * (v[i] as number) + 0.001 * gi * gi;
            v[i] = vi;
            const gn = gi / (Math.sqrt(vi / bc2) + 1e-8);
            p[i] = (p[i] as number) + ckp1 * (zi - (p[i] as number)) + yCoef * gn;
            z[i] = zi - 0.0025 * gn;
          }
        },
      };
    default: {
      const decoupled = key === 'adamw';
      return {
        states: 2,
        step: (p, g, [a, b], t) => {
          const m = a as Float32Array;
          const v = b as Float32Array;
          const bc1 = 1 - 0.9 ** t;
          const bc2s = Math.sqrt(1 - 0.999 ** t);
          const stepSize = 0.001 / bc1;
          const decay = decoupled ? 1 - 0.001 * 0.01 : 1;
          for (let i = 0; i < p.length; i++) {
            const gi = g[i] as number;
            const mi = 0.9 * (m[i] as number) + 0.1 * gi;
            const vi = 0.999 * (v[i] as number) + 0.001 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] = (p[i] as number) * decay - (stepSize * mi) / (Math.sqrt(vi) / bc2s + 1e-8);
          }
        },
      };
    }
  }
}

function tensors(s: Scenario): { params: Float32Array[]; grads: Float32Array[] } {
  const copy = (length: number) => randomPool(length).slice();
  return {
    params: s.tensors.map((t) => copy(t.length)),
    grads: s.tensors.map((t) => copy(t.length)),
  };
}

/** Times `run` (one step) in repetitions of `plan.steps` steps, yielding between them. */
async function timeReps(plan: RepPlan, run: () => void): Promise<Stat> {
  const out: number[] = [];
  const started = performance.now();
  let last = 0;
  while (anotherRep(plan, out.length, performance.now() - started, last)) {
    const t0 = performance.now();
    for (let i = 0; i < plan.steps; i++) run();
    last = performance.now() - t0;
    out.push(last / plan.steps);
    await new Promise((r) => setTimeout(r, 0)); // let the page breathe
  }
  return stat(out);
}

export async function benchPlainJs(s: Scenario, key: BenchKey, plan: RepPlan): Promise<Stat> {
  const { params, grads } = tensors(s);
  const { states, step } = plainStep(key);
  const state = params.map((p) => Array.from({ length: states }, () => new Float32Array(p.length)));
  let t = 0;
  return timeReps(plan, () => {
    t++;
    params.forEach((p, k) => step(p, grads[k] as Float32Array, state[k] as Float32Array[], t));
  });
}

export async function benchReference(
  s: Scenario,
  algorithm: Algorithm,
  options: Record<string, unknown>,
  plan: RepPlan,
): Promise<Stat> {
  const { params, grads } = tensors(s);
  const ref = new ReferenceOptimizer(algorithm, params, options as never);
  return timeReps(plan, () => ref.step(grads));
}
