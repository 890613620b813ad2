/**
 * Where the time of a many-tensor step goes (`npm run bench:breakdown`): the same scenario
 * stepped through each dispatch path, in one run, so the differences isolate one cost each.
 * - `single`: one tensor of the scenario's total size: the ceiling.
 * - `arena`: a ParamArena: one dispatch, the group as one flat run (src/optim/runs.ts).
 * - `rows, ×4`: one dispatch with one table row per tensor, lengths rounded up to multiples of
 *   4 (no scalar heads or tails); `rows` − `arena` minus the heads/tails share is the idle
 *   threads of each tensor's last workgroup plus the per-workgroup table lookup.
 * - `rows`: the same with the scenario's lengths: `rows` − `rows, ×4` is the heads and tails.
 * - `separate, gathered`: one buffer per tensor, the small ones gathered (src/optim/gather.ts).
 * - `separate, per tensor`: one buffer per tensor, one dispatch each (gatherBelow 0): the
 *   per-dispatch overhead and its bind-group switches, against `rows`.
 * For an algorithm with a per-tensor reduction (LAMB), each variant is also timed pass by pass
 * (`pass`): the other passes' dispatches dropped (bench/passFilter.ts), so `tensor_sums`,
 * `tensor_finalize` and the update (`pipeline`) each get a row; the gather copies, outside the
 * compute pass, stay in every one.
 */
import { createOptimizer, ParamArena, type Algorithm, type TensorRef } from '../src/index.ts';
import { benchAlgorithm, bytesPerParam, type BenchAlgorithm, type BenchKey } from './algorithms.ts';
import type { GpuTimer } from './gpuTimer.ts';
import {
  BREAKDOWN_PASSES,
  BREAKDOWN_VARIANTS,
  type BreakdownPass,
  type BreakdownVariant,
} from './breakdownVariants.ts';
import { withPassFilter } from './passFilter.ts';
import { randomPool } from './randomPool.ts';
import { parameterCount, scenario, type Scenario } from './scenarios.ts';
import { stat, type Stat } from './stats.ts';

export { BREAKDOWN_PASSES, BREAKDOWN_VARIANTS, type BreakdownPass, type BreakdownVariant };

/** Algorithms whose step has the three passes (tensor_sums.wgsl). */
const WITH_SUMS: readonly Algorithm[] = ['lamb'];

export interface BreakdownRow {
  scenario: Scenario['name'];
  /** The benchmark row's key (bench/algorithms.ts): an algorithm, or `sgd-plain`. */
  algorithm: BenchKey;
  variant: BreakdownVariant;
  /** The one pass timed (its pipeline label's entry point), or absent for the whole step. */
  pass?: BreakdownPass;
  msPerStep: Stat;
  gbps: number;
  dispatches: number;
}

interface Views {
  params: TensorRef[];
  grads: TensorRef[];
  options: Record<string, unknown>;
  destroy(): void;
}

const usage = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;

/** Tensors in user buffers, each 16 bytes after the previous one's last slot (no runs). */
function rows(device: GPUDevice, lengths: number[], pool: Float32Array<ArrayBuffer>): Views {
  const offsets: number[] = [];
  let at = 0;
  for (const n of lengths) {
    offsets.push(at);
    at += 16 * Math.ceil(n / 4) + 16;
  }
  const make = (label: string) => {
    const buffer = device.createBuffer({ label, size: at, usage: usage() });
    lengths.forEach((n, i) => device.queue.writeBuffer(buffer, offsets[i] as number, pool, 0, n));
    return lengths.map((length, i) => ({ buffer, offset: offsets[i] as number, length }));
  };
  const params = make('bench/breakdown/params');
  const grads = make('bench/breakdown/grads');
  return {
    params,
    grads,
    options: {},
    destroy: () => [params[0], grads[0]].forEach((r) => r?.buffer.destroy()),
  };
}

function views(device: GPUDevice, s: Scenario, variant: BreakdownVariant): Views {
  const lengths = s.tensors.map((t) => t.length);
  const pool = randomPool(Math.max(...lengths, 1 << 20));
  if (variant === 'single') {
    return views(device, { ...s, tensors: [{ name: 'all', length: parameterCount(s) }] }, 'arena');
  }
  if (variant === 'arena') {
    const arena = new ParamArena(device, lengths);
    lengths.forEach((n, i) => {
      arena.writeParam(i, pool.subarray(0, n));
      arena.writeGrad(i, pool.subarray(0, n));
    });
    return {
      params: arena.params,
      grads: arena.grads,
      options: {},
      destroy: () => arena.destroy(),
    };
  }
  if (variant === 'rows') return rows(device, lengths, pool);
  if (variant === 'rows, ×4')
    return rows(
      device,
      lengths.map((n) => Math.ceil(n / 4) * 4),
      pool,
    );
  const make = (label: string) =>
    lengths.map((n) => {
      const buffer = device.createBuffer({ label, size: 4 * n, usage: usage() });
      device.queue.writeBuffer(buffer, 0, pool, 0, n);
      return { buffer, length: n };
    });
  const params = make('bench/breakdown/param');
  const grads = make('bench/breakdown/grad');
  return {
    params,
    grads,
    options: variant === 'separate, per tensor' ? { gatherBelow: 0 } : {},
    destroy: () => [...params, ...grads].forEach((r) => r.buffer.destroy()),
  };
}

/** Times `steps` steps per repetition (GPU timestamps when `timer`, else wall time). */
async function time(
  device: GPUDevice,
  v: Views,
  alg: BenchAlgorithm,
  steps: number,
  reps: number,
  timer: GpuTimer | null,
): Promise<{ ms: Stat; dispatches: number }> {
  const opt = createOptimizer(alg.name, device, v.params, {
    ...alg.options,
    ...v.options,
  } as never);
  opt.step(v.grads);
  await device.queue.onSubmittedWorkDone();
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const encoder = device.createCommandEncoder();
    const t0 = performance.now();
    for (let k = 0; k < steps; k++) {
      if (timer) timer.bracket(encoder, (e) => opt.step(v.grads, e));
      else opt.step(v.grads, encoder);
    }
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    const wall = (performance.now() - t0) / steps;
    samples.push(timer ? (await timer.read()).reduce((a, b) => a + b, 0) / steps : wall);
  }
  const dispatches = opt.lastStepDispatches;
  await opt.checkErrors();
  opt.destroy();
  return { ms: stat(samples), dispatches };
}

/** Runs every variant for each scenario and algorithm. */
export async function runBreakdown(
  device: GPUDevice,
  timer: GpuTimer | null,
  config: {
    scenarios: Scenario['name'][];
    /** Benchmark row keys (bench/algorithms.ts): algorithms, or `sgd-plain`. */
    algorithms: BenchKey[];
    steps: number;
    reps: number;
    /** The variants to run (all when absent). */
    variants?: BreakdownVariant[];
  },
  progress: (message: string) => void,
): Promise<BreakdownRow[]> {
  const out: BreakdownRow[] = [];
  for (const name of config.scenarios) {
    const s = scenario(name);
    for (const algorithm of config.algorithms) {
      const alg = benchAlgorithm(algorithm);
      const bpp = bytesPerParam(alg.name, alg.options);
      for (const variant of config.variants ?? BREAKDOWN_VARIANTS) {
        const passes = WITH_SUMS.includes(alg.name) ? [null, ...BREAKDOWN_PASSES] : [null];
        for (const pass of passes) {
          const v = views(device, s, variant);
          const { ms, dispatches } = await withPassFilter(pass, () =>
            time(device, v, alg, config.steps, config.reps, timer),
          );
          v.destroy();
          const gbps = (bpp * parameterCount(s)) / (ms.median * 1e6);
          const what = pass ? `${variant}, ${pass} only` : variant;
          progress(`${name}/${algorithm}/${what}: ${ms.median.toFixed(2)} ms/step`);
          out.push({
            scenario: name,
            algorithm,
            variant,
            ...(pass ? { pass } : {}),
            msPerStep: ms,
            gbps,
            dispatches,
          });
        }
      }
    }
  }
  return out;
}
