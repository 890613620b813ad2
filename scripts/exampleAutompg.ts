/**
 * `npm run example -- autompg [--epochs N]`: the seed notes' optimizer comparison on auto-mpg.
 * Runs it in headless Chrome (TF.js gradients on WebGPU, webgpu-optim steps) and on the CPU
 * (f32 gradients, webgpu-optim/reference), prints both losses side by side, and writes the
 * results as JSON and an SVG chart (see outputBase).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { openGpuPage } from './gpuPage.ts';
import { lossChartSvg } from '../examples/autompg/chart.ts';
import { runCpu } from '../examples/autompg/cpu.ts';
import { FEATURE_FIELDS, TARGET_FIELD } from '../examples/autompg/data.ts';
import { BATCH_SIZE, EPOCHS, OPTIMIZERS, type Curve } from '../examples/autompg/experiment.ts';
import { INIT_SEED } from '../examples/autompg/init.ts';
import { CARS_JSON, loadAutoMpg } from '../examples/autompg/load.ts';
import type { GpuRun } from '../examples/autompg/page.ts';
import type { AutoMpgResults } from '../examples/autompg/results.ts';

/** npm packages the page imports that Vite must pre-bundle (CommonJS inside). */
export const TFJS_PREBUNDLE = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-core/dist/register_all_gradients',
  '@tensorflow/tfjs-backend-webgpu',
];

const OUT_DIR = 'examples/results';

/**
 * Where a run of `epochs` epochs writes its JSON and SVG: the committed
 * examples/results/autompg.{json,svg} for the notes' full length, else a git-ignored
 * autompg-<N>epochs.{json,svg} beside them.
 */
export function outputBase(epochs: number): string {
  return `${OUT_DIR}/autompg${epochs === EPOCHS ? '' : `-${epochs}epochs`}`;
}

/**
 * The run length without `--epochs`. The notes' 1000 epochs took 38 minutes on SwiftShader
 * here (0.23 to 0.83 s per epoch per optimizer on 2 CPU cores shared with other jobs), so the
 * default is 100 epochs, a few minutes; `--epochs 1000` reproduces the committed results.
 */
export const DEFAULT_EPOCHS = 100;

/** `--epochs N` from argv, else DEFAULT_EPOCHS. Throws on a value that is not a positive integer. */
export function epochsArg(argv: readonly string[]): number {
  const i = argv.indexOf('--epochs');
  if (i < 0) return DEFAULT_EPOCHS;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`--epochs: expected a positive integer, got ${argv[i + 1]}`);
  return n;
}

function table(gpu: readonly Curve[], cpu: readonly Curve[], epochs: number): string {
  const marks = [1, 10, 100, 1000, epochs].filter((e, i, a) => e <= epochs && a.indexOf(e) === i);
  const cell = (s: string) => s.padStart(12);
  const header =
    'optimizer'.padEnd(10) + marks.map((e) => cell(`@${e} GPU`) + cell('CPU ref')).join('');
  const lines = gpu.map((g, k) => {
    const c = cpu[k] as Curve;
    return (
      g.name.padEnd(10) +
      marks
        .map(
          (e) =>
            cell((g.losses[e - 1] as number).toFixed(4)) +
            cell((c.losses[e - 1] as number).toFixed(4)),
        )
        .join('')
    );
  });
  return [header, '-'.repeat(header.length), ...lines].join('\n');
}

/** JSON with one line per row and one line per loss curve (diffable, not 20 000 lines). */
export function resultsJson(results: AutoMpgResults): string {
  const json = JSON.stringify(results, null, 1).replace(
    /\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g,
    (_, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`,
  );
  return `${json}\n`;
}

/** Everything one run produced: the GPU curves, the CPU curves and the JSON to commit. */
export interface AutoMpgRun {
  gpu: GpuRun;
  cpu: Curve[];
  browser: string;
  results: AutoMpgResults;
}

/**
 * Runs the comparison for `epochs` epochs in headless Chrome (failing on any console error or
 * warning of the page) and on the CPU. `onProgress` hears when each optimizer's GPU run ends.
 */
export async function runAutoMpg(
  epochs: number,
  onProgress?: (line: string) => void,
): Promise<AutoMpgRun> {
  const inputs = loadAutoMpg();
  const page = await openGpuPage('/examples/autompg.html', undefined, TFJS_PREBUNDLE);
  let gpu: GpuRun;
  try {
    // One page call per optimizer: a full run takes minutes each, and a single call must
    // finish within the browser's protocol timeout.
    const runs: GpuRun[] = [];
    for (const [i, config] of OPTIMIZERS.entries()) {
      const t0 = Date.now();
      runs.push(
        (await page.page.evaluate(
          (p, n, k) => window.__autompg(p, n, [k]),
          inputs.problem,
          epochs,
          i,
        )) as GpuRun,
      );
      onProgress?.(`${config.name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    gpu = { ...(runs[0] as GpuRun), curves: runs.flatMap((r) => r.curves) };
    if (page.consoleProblems.length > 0)
      throw new Error(`the page reported problems:\n${page.consoleProblems.join('\n')}`);
  } finally {
    await page.close();
  }
  const cpu = OPTIMIZERS.map((config) => runCpu(inputs.problem, config, epochs));
  const results: AutoMpgResults = {
    description:
      "The seed notes' optimizer comparison on auto-mpg: linear regression of MPG on standardised " +
      'Cylinders, Displacement and Weight; TF.js (webgpu backend) computes gradients, webgpu-optim steps.',
    data: {
      source: `vega-datasets ${CARS_JSON}: rows with all four fields, in file order`,
      columns: [...FEATURE_FIELDS, TARGET_FIELD],
      rows: inputs.rows,
    },
    standardisation: {
      rule: 'x = f32((v - mean) / std) in f64; std is the population std (divide by n), as numpy x.std(axis=0) and sklearn StandardScaler',
      ...inputs.standardisation,
    },
    init: {
      rule: 'nn.Linear(3, 1) init: weight and bias uniform in [-1/sqrt(3), 1/sqrt(3)), mulberry32(seed), rounded to f32; the same for every optimizer',
      seed: INIT_SEED,
      weight: inputs.problem.weight,
      bias: inputs.problem.bias,
    },
    batchSize: BATCH_SIZE,
    epochs,
    loss: "MSE of the last batch of each epoch (rows 374..397), computed before that batch's step; batches in row order, no shuffle",
    environment: {
      browser: page.browserVersion,
      adapter: gpu.adapter,
      tfjs: `${gpu.tfjs} (${gpu.backend})`,
    },
    optimizers: OPTIMIZERS.map((config, k) => ({
      ...config,
      losses: (gpu.curves[k] as Curve).losses,
      reference: (cpu[k] as Curve).losses,
    })),
  };
  return { gpu, cpu, browser: page.browserVersion, results };
}

/** `npm run example -- autompg [--epochs N]`; see the file comment. */
export async function autompgExample(argv: readonly string[]): Promise<void> {
  const epochs = epochsArg(argv);
  console.log(
    `auto-mpg: batch ${BATCH_SIZE}, lr ${OPTIMIZERS[0]?.options.lr}, ${epochs} epochs` +
      (epochs === EPOCHS ? '' : ` (the notes run ${EPOCHS}: --epochs ${EPOCHS}, about 20 minutes)`),
  );
  console.log('Starting headless Chrome with WebGPU…');
  const t0 = Date.now();
  const { gpu, cpu, browser, results } = await runAutoMpg(epochs, (line) =>
    console.log(`  GPU ${line}`),
  );
  console.log(
    `browser: ${browser}; TF.js ${gpu.tfjs} (${gpu.backend}); adapter: ${gpu.adapter}\n` +
      `${results.data.rows.length} rows; took ${((Date.now() - t0) / 1000).toFixed(1)} s; GPU ms/epoch: ` +
      gpu.curves.map((c) => `${c.name} ${c.msPerEpoch.toFixed(1)}`).join(', '),
  );
  console.log(
    `\nloss of the epoch's last batch (GPU: TF.js gradients + webgpu-optim step; CPU: f32 reference)\n`,
  );
  console.log(table(gpu.curves, cpu, epochs));
  const base = outputBase(epochs);
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(`${base}.json`, resultsJson(results));
  writeFileSync(
    `${base}.svg`,
    lossChartSvg(
      gpu.curves,
      `auto-mpg: loss vs epoch, lr ${OPTIMIZERS[0]?.options.lr}, batch ${BATCH_SIZE}, ${epochs} epochs`,
      `TF.js ${gpu.tfjs} gradients (webgpu), webgpu-optim steps; ${gpu.adapter}`,
    ),
  );
  console.log(`\nwrote ${base}.json and ${base}.svg`);
}
