/**
 * `npm run bench`: runs bench/index.html headless in Chrome, shows progress, prints a table,
 * and writes bench/results/latest.json and bench/results/latest.svg.
 *
 *   npm run bench -- --quick                     under 2 minutes on a 2-core SwiftShader box
 *   npm run bench -- --algorithms=adam,sgd --scenarios=model,tiny
 *   npm run bench -- --steps=20 --reps=7 --no-tfjs --no-cpu
 *   npm run bench -- --layout=separate            one buffer per tensor instead of a ParamArena
 *   npm run bench -- --no-features                skip the clipGradNorm / GradScaler costs
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Algorithm } from '../src/index.ts';
import { chartSvg } from '../bench/chart.ts';
import { COLUMNS, tableRows, textTable } from '../bench/table.ts';
import type { BenchConfig, BenchResult, ScenarioName } from '../bench/types.ts';
import { openGpuPage } from './gpuPage.ts';

const ALGORITHMS: Algorithm[] = ['sgd', 'adagrad', 'rmsprop', 'adam', 'adamw'];
const SCENARIOS: ScenarioName[] = ['big', 'model', 'tiny'];

function list<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T[] {
  if (!value) return [...allowed];
  const items = value.split(',').map((s) => s.trim()) as T[];
  for (const i of items) {
    if (!allowed.includes(i))
      throw new Error(`--${flag}: unknown "${i}"; choose from ${allowed.join(', ')}`);
  }
  return items;
}

function config(): { config: BenchConfig; out: string } {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      algorithms: { type: 'string' },
      scenarios: { type: 'string' },
      steps: { type: 'string' },
      reps: { type: 'string' },
      'no-tfjs': { type: 'boolean', default: false },
      'no-cpu': { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/results' },
      layout: { type: 'string', default: 'arena' },
      'no-features': { type: 'boolean', default: false },
    },
  });
  const quick = values.quick === true;
  const int = (v: string | undefined, d: number, flag: string) => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--${flag} must be a positive integer, got ${v}`);
    return n;
  };
  return {
    out: values.out as string,
    config: {
      algorithms: list(values.algorithms, ALGORITHMS, 'algorithms'),
      scenarios: list(values.scenarios, SCENARIOS, 'scenarios'),
      steps: int(values.steps, quick ? 3 : 20, 'steps'),
      reps: int(values.reps, quick ? 2 : 7, 'reps'),
      tfjsSteps: quick ? 2 : 5,
      tfjsReps: quick ? 2 : 3,
      cpuSteps: quick ? 1 : 2,
      cpuReps: quick ? 1 : 3,
      peers: { tfjs: !values['no-tfjs'], plainJs: !values['no-cpu'], reference: !values['no-cpu'] },
      options: {},
      tinyScaling: [50, 500],
      layout: list(values.layout, ['arena', 'separate'] as const, 'layout')[0] as
        'arena' | 'separate',
      ...(values['no-features'] ? {} : { featureCosts: 'model' as const }),
    },
  };
}

async function main(): Promise<void> {
  const { config: cfg, out } = config();
  const started = Date.now();
  console.log(
    `webgpu-optim bench: ${cfg.scenarios.join(', ')} × ${cfg.algorithms.join(', ')}; ${cfg.steps} steps × ${cfg.reps} repetitions`,
  );
  const gpu = await openGpuPage(
    '/bench/index.html',
    (line) => {
      if (line.startsWith('[bench] '))
        console.log(
          `  ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s  ${line.slice(8)}`,
        );
    },
    ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu'],
  );
  try {
    console.log(`browser: ${gpu.browserVersion}; adapter: ${JSON.stringify(gpu.adapterInfo)}`);
    const result = (await gpu.page.evaluate((c) => window.__runBench(c), cfg)) as BenchResult;
    const full = { ...result, browser: gpu.browserVersion };
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'latest.json'), `${JSON.stringify(full, null, 2)}\n`);
    writeFileSync(join(out, 'latest.svg'), chartSvg(result));
    console.log(
      `\ntiming: ${result.timing}; roofline per scenario: ${result.scenarios.map((s) => `${s.name} ${s.roofline.best.toFixed(2)} GB/s`).join(', ')}\n`,
    );
    console.log(textTable(COLUMNS, tableRows(result)));
    if (result.tinyScaling.length > 0) {
      console.log('\nhost time per step on tiny (Adam), by tensor count:');
      console.log(
        textTable(
          ['tensors', 'ours host ms', 'TF.js host ms', 'ours dispatches', 'TF.js dispatches'],
          result.tinyScaling.map((p) => [
            String(p.tensors),
            p.oursHostMs.toFixed(3),
            p.tfjsHostMs?.toFixed(3) ?? '—',
            String(p.oursDispatches),
            p.tfjsDispatches === null ? '—' : String(p.tfjsDispatches),
          ]),
        ),
      );
    }
    if (result.featureCosts) {
      console.log(
        `\nwhat the training-loop features cost (Adam, ${result.featureCosts.scenario}):`,
      );
      console.log(
        textTable(
          ['variant', 'ms/step', 'dispatches', 'B/param', 'GB/s', 'vs Adam'],
          result.featureCosts.rows.map((r) => [
            r.label,
            r.msPerStep.toFixed(2),
            String(r.dispatches),
            String(r.bytesPerParam),
            r.gbps.toFixed(2),
            `${r.ratio.toFixed(2)}×`,
          ]),
        ),
      );
    }
    if (gpu.consoleProblems.length > 0)
      console.warn(`\npage warnings:\n${gpu.consoleProblems.join('\n')}`);
    console.log(
      `\nwrote ${join(out, 'latest.json')} and ${join(out, 'latest.svg')} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  } finally {
    await gpu.close();
  }
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
