/** The benchmark page: a form, the runner, a results table and the chart. */
import type { BenchKey } from './algorithms.ts';
import { runBreakdown, type BreakdownRow } from './breakdown.ts';
import { calibrate } from './calibrate.ts';
import { GpuTimer } from './gpuTimer.ts';
import { chartSvg } from './chart.ts';
import type { Calibration } from './costModel.ts';
import { device, runBench } from './runBench.ts';
import {
  COLUMNS,
  FEATURE_COLUMNS,
  SCALING_COLUMNS,
  featureRows,
  scalingRows,
  tableRows,
} from './table.ts';
import type { BenchConfig, BenchResult, ScenarioName } from './types.ts';

declare global {
  interface Window {
    __ready: boolean;
    __runBench: (config: BenchConfig) => Promise<BenchResult>;
    /** The planner's probe (calibrate.ts), on a device of its own. */
    __calibrate: (tfjs: boolean) => Promise<Calibration>;
    /** `npm run bench:breakdown` (breakdown.ts), on a device of its own. */
    __runBreakdown: (config: Parameters<typeof runBreakdown>[2]) => Promise<BreakdownRow[]>;
  }
}

function htmlTable(header: readonly string[], rows: string[][]): string {
  return (
    `<table><tr>${header.map((c) => `<th>${c}</th>`).join('')}</tr>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') +
    `</table>`
  );
}

const $ = (id: string) => document.getElementById(id) as HTMLElement;

function log(message: string): void {
  console.log(`[bench] ${message}`);
  $('log').textContent += `${message}\n`;
}

function render(result: BenchResult): void {
  $('model').innerHTML =
    `<p><b>Timing:</b> ${result.timing === 'timestamp-query' ? 'GPU timestamps (timestamp-query)' : 'wall time over many steps per submit, one wait at the end'}. ` +
    `<b>Bytes per parameter</b> (f32, effective GB/s): read param, grad and each state array, write param and each state array: ` +
    `SGD with momentum 20 B, Adagrad 20 B, RMSprop 20 B, Adam and AdamW 28 B (AMSGrad +8, centered +8, RMSprop momentum +8). ` +
    `<b>Roofline</b>: the better of a vec4 read-write copy kernel and copyBufferToBuffer on buffers of the scenario's size, in this run. ` +
    `Speedups compare wall time per step, measured the same way for every peer.</p>` +
    `<p>Adapter: ${result.adapter.vendor} ${result.adapter.architecture} ${result.adapter.description}</p>`;
  $('results').innerHTML =
    htmlTable(COLUMNS, tableRows(result)) +
    (result.tinyScaling.length ? htmlTable(SCALING_COLUMNS, scalingRows(result)) : '') +
    (result.featureCosts ? htmlTable(FEATURE_COLUMNS, featureRows(result)) : '') +
    `<p>Rows marked "!" are unreliable (spread over 25 % or physically impossible; see flags): do not quote them.</p>`;
  $('chart').innerHTML = chartSvg(result);
}

async function run(config: BenchConfig): Promise<BenchResult> {
  $('log').textContent = '';
  const result = await runBench(config, log);
  render(result);
  return result;
}

function readForm(form: HTMLFormElement): BenchConfig {
  const data = new FormData(form);
  const num = (k: string) => Math.max(1, Number(data.get(k)));
  return {
    algorithms: data.getAll('alg') as BenchKey[],
    scenarios: data.getAll('scenario') as ScenarioName[],
    steps: num('steps'),
    reps: num('reps'),
    tfjsSteps: num('tfjsSteps'),
    tfjsReps: num('tfjsReps'),
    cpuSteps: num('cpuSteps'),
    cpuReps: num('cpuReps'),
    peers: {
      tfjs: data.has('tfjs'),
      plainJs: data.has('plainJs'),
      reference: data.has('reference'),
    },
    options: JSON.parse(String(data.get('options') || '{}')) as BenchConfig['options'],
    tinyScaling: [50, 500],
    layout: data.get('layout') === 'separate' ? 'separate' : 'arena',
  };
}

const form = $('form') as HTMLFormElement;
form.addEventListener('submit', (e) => {
  e.preventDefault();
  run(readForm(form)).catch((err: unknown) => log(`error: ${String(err)}`));
});

window.__runBench = run;
window.__calibrate = async (tfjs) => {
  const { device: dev } = await device();
  try {
    return await calibrate(dev, tfjs);
  } finally {
    dev.destroy();
  }
};
window.__runBreakdown = async (config) => {
  const { device: dev } = await device();
  const timer = dev.features.has('timestamp-query') ? new GpuTimer(dev, config.steps) : null;
  try {
    return await runBreakdown(dev, timer, config, log);
  } finally {
    timer?.destroy();
    dev.destroy();
  }
};
window.__ready = true;
