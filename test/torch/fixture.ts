/**
 * The PyTorch fixtures (test/fixtures/torch/*.json, written by scripts/fixtures/torch_optim.py
 * from torch.optim in float32) and how a run is compared with them. Pure TypeScript: the Node
 * suite runs the CPU reference through it, the browser suite the GPU optimizers.
 */
import type { Algorithm } from '../../src/options/types.ts';
import { ulp } from '../browser/suites/compare.ts';

/** One trajectory: torch's params after every step, and its state after the last. */
export interface TorchCase {
  desc: string;
  algorithm: Algorithm;
  /** Our options (camelCase), clipGradNorm/clipGradValue included. */
  options: Record<string, unknown>;
  /** Key into {@link TorchOptimFixture.inputs}. */
  inputs: string;
  /** params[step][tensor]: torch's params after step + 1 steps. */
  params: number[][][];
  /** state[tensor][name]: torch's optimizer state after the last step. */
  state: Record<string, number[]>[];
  /** stateScale[tensor][name]: max over the steps of |torch state|, per element. */
  stateScale: Record<string, number[]>[];
  /** With clipGradNorm: clip_grad_norm_'s total norm at every step. */
  norms?: number[];
  /**
   * 'float64': torch has no such option (epsInsideSqrt), so the trajectory comes from the
   * script's float64 transcription of torch's loop (scripts/fixtures/torch_optim.py,
   * `transcribed_run`); absent: torch.optim itself, in float32.
   */
  precision?: 'float64';
}

/** test/fixtures/torch/optim.json. */
export interface TorchOptimFixture {
  torch: string;
  steps: number;
  lengths: number[];
  inputs: Record<string, { params0: number[][]; grads: number[][][] }>;
  cases: TorchCase[];
}

/** The worst disagreement of one run with torch, in ULPs of each element's running scale. */
export interface TorchWorst {
  desc: string;
  algorithm: Algorithm;
  /** The fixture's precision: torch.optim in float32, or the float64 transcription. */
  precision: 'float32' | 'float64';
  /** Max over steps, tensors and elements of |ours − torch| / ulp(max_t |torch_t|). */
  paramUlps: number;
  /** The same for the final state arrays, in ULPs of each element's max over the steps. */
  stateUlps: number;
  /** Where the worst param element is, and its two values. */
  at: string;
  /** Elements (params at any step, final state) that are not finite on either side. */
  nonFinite: number;
  /** Max relative difference of the clip norm (ours vs torch's), 0 without clipGradNorm. */
  normRel: number;
  /** State arrays torch has that the run lacks, or the reverse. */
  missing: string[];
}

/** An optimizer run to compare: `step` takes one step, `read` returns the params. */
export interface Stepper {
  step(grads: Float32Array[]): Promise<void> | void;
  params(): Promise<Float32Array[]> | Float32Array[];
  state(): Promise<Record<string, Float32Array>[]> | Record<string, Float32Array>[];
  norm?: () => Promise<number | null> | number | null;
}

/** The case's initial params and per-step grads as Float32Arrays. */
export function caseInputs(
  fixture: TorchOptimFixture,
  c: TorchCase,
): { params0: Float32Array[]; grads: Float32Array[][] } {
  const inp = fixture.inputs[c.inputs];
  if (!inp) throw new Error(`${c.desc}: no inputs named ${c.inputs}`);
  return {
    params0: inp.params0.map((p) => new Float32Array(p)),
    grads: inp.grads.map((gs) => gs.map((g) => new Float32Array(g))),
  };
}

function ulpsOf(ours: ArrayLike<number>, torch: ArrayLike<number>, scale: number[]): number {
  let worst = ours.length === torch.length ? 0 : Infinity;
  for (let i = 0; i < torch.length; i++) {
    const a = ours[i] as number;
    const b = torch[i] as number;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
    worst = Math.max(worst, Math.abs(a - b) / ulp(scale[i] as number));
  }
  return worst;
}

function countNonFinite(xs: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i] as number)) n++;
  return n;
}

/** Runs `c` through `run` (built on the case's initial params) and measures it against torch. */
export async function measureCase(
  fixture: TorchOptimFixture,
  c: TorchCase,
  grads: Float32Array[][],
  run: Stepper,
): Promise<TorchWorst> {
  const worst: TorchWorst = {
    desc: c.desc,
    algorithm: c.algorithm,
    precision: c.precision ?? 'float32',
    paramUlps: 0,
    stateUlps: 0,
    at: '',
    nonFinite: 0,
    normRel: 0,
    missing: [],
  };
  const inp = fixture.inputs[c.inputs];
  // running max of |torch param| per element, starting from the initial params
  const scale = (inp?.params0 ?? []).map((p) => p.map(Math.abs));
  for (const [s, g] of grads.entries()) {
    await run.step(g);
    const ours = await run.params();
    const expected = c.params[s] ?? [];
    for (const [t, e] of expected.entries()) {
      const sc = scale[t] ?? [];
      e.forEach((v, i) => (sc[i] = Math.max(sc[i] ?? 0, Math.abs(v))));
      const o = ours[t] ?? new Float32Array(0);
      worst.nonFinite += countNonFinite(o) + countNonFinite(e);
      const u = ulpsOf(o, e, sc);
      if (u > worst.paramUlps) {
        worst.paramUlps = u;
        let i = 0;
        for (let k = 0; k < e.length; k++) {
          if (
            Math.abs((o[k] ?? NaN) - (e[k] as number)) >= Math.abs((o[i] ?? NaN) - (e[i] as number))
          )
            i = k;
        }
        worst.at = `step ${s + 1} tensor ${t}[${i}]: ours ${o[i]} torch ${e[i]}`;
      }
    }
    if (c.norms && run.norm) {
      const n = await run.norm();
      const e = c.norms[s] as number;
      worst.normRel = Math.max(worst.normRel, n === null ? Infinity : Math.abs(n - e) / e);
    }
  }
  const state = await run.state();
  for (const [t, expected] of c.state.entries()) {
    const ours = state[t] ?? {};
    const names = new Set([...Object.keys(expected), ...Object.keys(ours)]);
    for (const name of names) {
      const e = expected[name];
      const o = ours[name];
      if (!e || !o) {
        worst.missing.push(`${name}[${t}] (${e ? 'ours' : 'torch'} lacks it)`);
        continue;
      }
      worst.nonFinite += countNonFinite(o) + countNonFinite(e);
      // state elements cancel towards 0 (momentum, exp_avg): ULPs of their running magnitude
      const sc = c.stateScale[t]?.[name] ?? [];
      worst.stateUlps = Math.max(worst.stateUlps, ulpsOf(o, e, sc));
    }
  }
  return worst;
}
