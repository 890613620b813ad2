/**
 * Runs the benchmark in the page: for each scenario, the roofline (vec4 copy kernel and
 * copyBufferToBuffer on buffers of the scenario's size), then each algorithm: ours, TF.js,
 * plain JS and our CPU reference.
 */
import { BENCH_ALGORITHMS, bytesPerParam } from './algorithms.ts';
import { installDispatchCounter } from './dispatchCounter.ts';
import { benchFeatures } from './features.ts';
import { GpuTimer } from './gpuTimer.ts';
import { benchOurs } from './ours.ts';
import { benchPlainJs, benchReference } from './peers/cpu.ts';
import { benchTfjs } from './peers/tfjs.ts';
import { measureRoofline, rooflineBound } from './roofline.ts';
import { flagText, rowFlags, spreadFlag, type Flag } from './reliability.ts';
import { fixedReps, type RepPlan } from './repPlan.ts';
import { scalingReusesTiny } from './plan.ts';
import { parameterCount, scenario, tiny } from './scenarios.ts';
import type { BenchConfig, BenchResult, Row, ScalingPoint, ScenarioResult } from './types.ts';

export type Progress = (message: string) => void;

/** A device with timestamp-query when the adapter has it, and the adapter's largest buffers. */
export async function device(): Promise<{ device: GPUDevice; adapter: GPUAdapter }> {
  const adapter = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter)
    throw new Error('WebGPU is unavailable: navigator.gpu.requestAdapter() returned nothing');
  const features: GPUFeatureName[] = adapter.features.has('timestamp-query')
    ? ['timestamp-query']
    : [];
  const dev = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  return { device: dev, adapter };
}

/** The timer's capacity: the most steps or roofline repetitions one measurement records. */
function timerCapacity(config: BenchConfig): number {
  const units = Object.values(config.plan?.units ?? {});
  return Math.max(3, config.steps, config.reps, ...units.map((u) => Math.max(u.steps, u.reps)));
}

export async function runBench(
  config: BenchConfig,
  progress: Progress = () => undefined,
): Promise<BenchResult> {
  installDispatchCounter();
  const { device: dev, adapter } = await device();
  const timer = dev.features.has('timestamp-query')
    ? new GpuTimer(dev, timerCapacity(config))
    : null;
  const unit = (key: string, steps: number, reps: number): RepPlan =>
    config.plan?.units[key] ?? fixedReps(steps, reps);
  const sizes = { bigLog2: config.plan?.bigLog2 ?? 24 };
  const scenarios: ScenarioResult[] = [];
  for (const name of config.scenarios) {
    const s = scenario(name, sizes);
    const params = parameterCount(s);
    progress(
      `${name}: ${s.description}, ${params.toLocaleString('en-US')} parameters — measuring the roofline`,
    );
    const roofline = await measureRoofline(
      dev,
      4 * params,
      unit(`roofline/${name}`, 1, Math.max(3, config.reps)).reps,
      timer,
    );
    progress(
      `${name}: roofline ${roofline.best.toFixed(2)} GB/s (vec4 copy kernel ${roofline.kernel.median.toFixed(2)}, copyBufferToBuffer ${roofline.copy.median.toFixed(2)})`,
    );
    const rows: Row[] = [];
    for (const alg of BENCH_ALGORITHMS.filter((a) => config.algorithms.includes(a.key))) {
      const options = { ...alg.options, ...(config.options[alg.key] ?? {}) };
      const bpp = bytesPerParam(alg.name, options);
      progress(`${name}/${alg.key}: webgpu-optim`);
      const ours = await benchOurs(
        dev,
        s,
        alg.name,
        options,
        unit(`ours/${name}/${alg.key}`, config.steps, config.reps),
        timer,
        config.layout,
      );
      const msPerStep = ours.gpuMs.median;
      const gbps = (bpp * params) / (msPerStep * 1e6);
      let tfjs = null;
      if (config.peers.tfjs && alg.tfjs) {
        progress(`${name}/${alg.key}: TF.js ${alg.tfjs}`);
        tfjs = await benchTfjs(
          s,
          alg.key,
          unit(`tfjs/${name}/${alg.key}`, config.tfjsSteps, config.tfjsReps),
        );
      }
      let plainJs = null;
      let reference = null;
      if (config.peers.plainJs) {
        progress(`${name}/${alg.key}: plain JS loop`);
        plainJs = await benchPlainJs(
          s,
          alg.key,
          unit(`plainJs/${name}/${alg.key}`, config.cpuSteps, config.cpuReps),
        );
      }
      if (config.peers.reference) {
        progress(`${name}/${alg.key}: CPU reference`);
        reference = await benchReference(
          s,
          alg.name,
          options,
          unit(`reference/${name}/${alg.key}`, config.cpuSteps, config.cpuReps),
        );
      }
      const wall = ours.wallMs.median;
      // The separate layout next to the arena, on the many-tensor scenarios, with the same plan.
      let separate: Row['separate'] = null;
      if (config.layout === 'arena' && name !== 'big') {
        progress(`${name}/${alg.key}: webgpu-optim, one buffer per tensor`);
        const sep = await benchOurs(
          dev,
          s,
          alg.name,
          options,
          config.plan?.units[`separate/${name}/${alg.key}`] ??
            unit(`ours/${name}/${alg.key}`, config.steps, config.reps),
          timer,
          'separate',
        );
        separate = {
          ours: sep,
          msPerStep: sep.gpuMs.median,
          gbps: (bpp * params) / (sep.gpuMs.median * 1e6),
          speedupTfjs: tfjs ? tfjs.wallMs.median / sep.wallMs.median : null,
        };
      }
      const row: Omit<Row, 'flags' | 'unreliable'> = {
        algorithm: alg.key,
        label: alg.label,
        options,
        bytesPerParam: bpp,
        ours,
        msPerStep,
        paramsPerSec: params / (msPerStep / 1000),
        gbps,
        percentOfRoofline: (100 * gbps) / roofline.best,
        percentOfCopyKernel: (100 * gbps) / roofline.kernel.median,
        tfjs,
        plainJs,
        reference,
        speedup: {
          tfjs: tfjs ? tfjs.wallMs.median / wall : null,
          plainJs: plainJs ? plainJs.median / wall : null,
          reference: reference ? reference.median / wall : null,
        },
        separate,
      };
      const flags = rowFlags(row, rooflineBound(roofline));
      rows.push({ ...row, flags, unreliable: flags.length > 0 });
      progress(
        `${name}/${alg.key}: ${msPerStep.toFixed(3)} ms/step ±${(100 * ours.gpuMs.spread).toFixed(0)}%, ${gbps.toFixed(2)} GB/s (${row.percentOfRoofline.toFixed(0)}% of roofline)` +
          (row.speedup.tfjs ? `, ${row.speedup.tfjs.toFixed(1)}× TF.js` : '') +
          (separate
            ? `; separate buffers ${separate.msPerStep.toFixed(3)} ms/step, ${separate.gbps.toFixed(2)} GB/s` +
              (separate.speedupTfjs ? `, ${separate.speedupTfjs.toFixed(1)}× TF.js` : '')
            : '') +
          (flags.length ? ` — unreliable: ${flagText(flags)}` : ''),
      );
    }
    scenarios.push({
      name,
      description: s.description,
      tensors: s.tensors.length,
      params,
      roofline,
      rows,
    });
  }
  const tinyScaling: ScalingPoint[] = [];
  for (const count of config.tinyScaling) {
    const s = tiny(count);
    // The 500-tensor point is the tiny scenario's Adam row when that ran: reuse it.
    const row = scalingReusesTiny(count, config)
      ? scenarios.find((r) => r.name === 'tiny')?.rows.find((r) => r.algorithm === 'adam')
      : undefined;
    if (!row) progress(`tiny scaling: ${count} tensors (Adam, host time per step)`);
    const ours =
      row?.ours ??
      (await benchOurs(
        dev,
        s,
        'adam',
        { lr: 0.001 },
        unit(`scaling/ours/${count}`, config.steps, config.reps),
        null,
        config.layout,
      ));
    const tfjs = !config.peers.tfjs
      ? null
      : row
        ? row.tfjs
        : await benchTfjs(
            s,
            'adam',
            unit(`scaling/tfjs/${count}`, config.tfjsSteps, config.tfjsReps),
          );
    const flags = [
      spreadFlag('ours host', ours.hostMs),
      tfjs && spreadFlag('TF.js host', tfjs.hostMs),
    ].filter((f): f is Flag => f !== null);
    tinyScaling.push({
      tensors: count,
      oursHostMs: ours.hostMs.median,
      tfjsHostMs: tfjs?.hostMs.median ?? null,
      oursHostSpread: ours.hostMs.spread,
      tfjsHostSpread: tfjs?.hostMs.spread ?? null,
      oursDispatches: ours.dispatches,
      tfjsDispatches: tfjs?.dispatches ?? null,
      flags,
      unreliable: flags.length > 0,
    });
  }
  let featureCosts: BenchResult['featureCosts'] = null;
  if (config.featureCosts) {
    const s = scenario(config.featureCosts, sizes);
    const roofline =
      scenarios.find((r) => r.name === config.featureCosts)?.roofline ??
      (await measureRoofline(dev, 4 * parameterCount(s), Math.max(3, config.reps), timer));
    featureCosts = {
      scenario: config.featureCosts,
      rows: await benchFeatures(
        dev,
        s,
        (i) => unit(`feature/${i}`, config.steps, config.reps),
        timer,
        config.layout,
        rooflineBound(roofline),
        progress,
      ),
    };
  }
  timer?.destroy();
  const info = adapter.info;
  const result: BenchResult = {
    date: new Date().toISOString(),
    userAgent: navigator.userAgent,
    adapter: {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
    },
    features: [...adapter.features].sort(),
    timing:
      scenarios.every((s) => s.rows.every((r) => r.ours.timing === 'timestamp-query')) && timer
        ? 'timestamp-query'
        : 'wall',
    config,
    scenarios,
    tinyScaling,
    featureCosts,
  };
  dev.destroy();
  return result;
}
