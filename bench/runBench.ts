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
import { measureRoofline } from './roofline.ts';
import { parameterCount, scenario, tiny } from './scenarios.ts';
import type { BenchConfig, BenchResult, Row, ScalingPoint, ScenarioResult } from './types.ts';

export type Progress = (message: string) => void;

async function device(): Promise<{ device: GPUDevice; adapter: GPUAdapter }> {
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

export async function runBench(
  config: BenchConfig,
  progress: Progress = () => undefined,
): Promise<BenchResult> {
  installDispatchCounter();
  const { device: dev, adapter } = await device();
  const timer = dev.features.has('timestamp-query')
    ? new GpuTimer(dev, Math.max(config.steps, config.reps, 3))
    : null;
  const scenarios: ScenarioResult[] = [];
  for (const name of config.scenarios) {
    const s = scenario(name);
    const params = parameterCount(s);
    progress(
      `${name}: ${s.description}, ${params.toLocaleString('en-US')} parameters — measuring the roofline`,
    );
    const roofline = await measureRoofline(dev, 4 * params, Math.max(3, config.reps), timer);
    progress(
      `${name}: roofline ${roofline.best.toFixed(2)} GB/s (vec4 copy kernel ${roofline.kernel.median.toFixed(2)}, copyBufferToBuffer ${roofline.copy.median.toFixed(2)})`,
    );
    const rows: Row[] = [];
    for (const alg of BENCH_ALGORITHMS.filter((a) => config.algorithms.includes(a.name))) {
      const options = { ...alg.options, ...(config.options[alg.name] ?? {}) };
      const bpp = bytesPerParam(alg.name, options);
      progress(`${name}/${alg.name}: webgpu-optim`);
      const ours = await benchOurs(
        dev,
        s,
        alg.name,
        options,
        config.steps,
        config.reps,
        timer,
        config.layout,
      );
      const msPerStep = ours.gpuMs.median;
      const gbps = (bpp * params) / (msPerStep * 1e6);
      let tfjs = null;
      if (config.peers.tfjs && alg.tfjs) {
        progress(`${name}/${alg.name}: TF.js ${alg.tfjs}`);
        tfjs = await benchTfjs(s, alg.name, config.tfjsSteps, config.tfjsReps);
      }
      let plainJs = null;
      let reference = null;
      if (config.peers.plainJs) {
        progress(`${name}/${alg.name}: plain JS loop`);
        plainJs = await benchPlainJs(s, alg.name, config.cpuSteps, config.cpuReps);
      }
      if (config.peers.reference) {
        progress(`${name}/${alg.name}: CPU reference`);
        reference = await benchReference(s, alg.name, options, config.cpuSteps, config.cpuReps);
      }
      const wall = ours.wallMs.median;
      const row: Row = {
        algorithm: alg.name,
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
      };
      rows.push(row);
      progress(
        `${name}/${alg.name}: ${msPerStep.toFixed(3)} ms/step, ${gbps.toFixed(2)} GB/s (${row.percentOfRoofline.toFixed(0)}% of roofline)` +
          (row.speedup.tfjs ? `, ${row.speedup.tfjs.toFixed(1)}× TF.js` : ''),
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
    progress(`tiny scaling: ${count} tensors (Adam, host time per step)`);
    const s = tiny(count);
    const ours = await benchOurs(
      dev,
      s,
      'adam',
      { lr: 0.001 },
      config.steps,
      config.reps,
      null,
      config.layout,
    );
    const tfjs = config.peers.tfjs
      ? await benchTfjs(s, 'adam', config.tfjsSteps, config.tfjsReps)
      : null;
    tinyScaling.push({
      tensors: count,
      oursHostMs: ours.hostMs.median,
      tfjsHostMs: tfjs?.hostMs.median ?? null,
      oursDispatches: ours.dispatches,
      tfjsDispatches: tfjs?.dispatches ?? null,
    });
  }
  const featureCosts = config.featureCosts
    ? {
        scenario: config.featureCosts,
        rows: await benchFeatures(
          dev,
          scenario(config.featureCosts),
          config.steps,
          config.reps,
          timer,
          config.layout,
          progress,
        ),
      }
    : null;
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
