/**
 * `npm run example -- autompg [--epochs N]`: the seed notes' optimizer comparison on auto-mpg.
 * Runs it in headless Chrome (TF.js gradients on WebGPU, webgpu-optim steps) and on the CPU
 * (f32 gradients, webgpu-optim/reference), prints both losses side by side, and writes
 * examples/results/autompg.json and autompg.svg.
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
export const TFJS_PREBUNDLE = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu'];

const OUT_DIR = 'examples/results';

/** `--epochs N` from argv, else the notes' 1000. Throws on a value that is not a positive integer. */
export function epochsArg(argv: readonly string[]): number {
  const i = argv.indexOf('--epochs');
  if (i < 0) return EPOCHS;
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

/** Runs the comparison; see the file comment. */
export async function autompgExample(argv: readonly string[]): Promise<void> {
  const epochs = epochsArg(argv);
  const inputs = loadAutoMpg();
  console.log(
    `auto-mpg: ${inputs.rows.length} rows, batch ${BATCH_SIZE}, ${epochs} epochs` +
      (epochs === EPOCHS ? '' : ` (the notes run ${EPOCHS})`),
  );
  console.log('Starting headless Chrome with WebGPU…');
  const t0 = Date.now();
  const gpu = await openGpuPage('/examples/autompg.html', undefined, TFJS_PREBUNDLE);
  let run: GpuRun;
  try {
    run = (await gpu.page.evaluate(
      (p, n) => window.__autompg(p, n),
      inputs.problem,
      epochs,
    )) as GpuRun;
    if (gpu.consoleProblems.length > 0)
      throw new Error(`the page reported problems:\n${gpu.consoleProblems.join('\n')}`);
    console.log(
      `browser: ${gpu.browserVersion}; TF.js ${run.tfjs} (${run.backend}); adapter: ${run.adapter}`,
    );
  } finally {
    await gpu.close();
  }
  console.log(
    `GPU run: ${((Date.now() - t0) / 1000).toFixed(1)} s; ms/epoch: ${run.curves.map((c) => `${c.name} ${c.msPerEpoch.toFixed(1)}`).join(', ')}`,
  );
  const cpu = OPTIMIZERS.map((config) => runCpu(inputs.problem, config, epochs));
  console.log(
    `\nloss of the epoch's last batch (GPU: TF.js gradients + webgpu-optim step; CPU: f32 reference)\n`,
  );
  console.log(table(run.curves, cpu, epochs));

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
      browser: gpu.browserVersion,
      adapter: run.adapter,
      tfjs: `${run.tfjs} (${run.backend})`,
    },
    optimizers: OPTIMIZERS.map((config, k) => ({
      ...config,
      losses: (run.curves[k] as Curve).losses,
      reference: (cpu[k] as Curve).losses,
    })),
  };
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(`${OUT_DIR}/autompg.json`, resultsJson(results));
  writeFileSync(
    `${OUT_DIR}/autompg.svg`,
    lossChartSvg(
      run.curves,
      `auto-mpg: loss vs epoch, lr ${OPTIMIZERS[0]?.options.lr}, batch ${BATCH_SIZE}, ${epochs} epochs`,
      `TF.js ${run.tfjs} gradients (webgpu), webgpu-optim steps; ${run.adapter}`,
    ),
  );
  console.log(`\nwrote ${OUT_DIR}/autompg.json and ${OUT_DIR}/autompg.svg`);
}
