/**
 * `npm run bench`: calibrates the device, plans the run to fit its time budget and says how long
 * it will take, runs bench/index.html headless in Chrome with progress, prints the tables (rows
 * that must not be quoted are marked "!" with the reason) and writes bench/results/latest.json
 * and bench/results/latest.svg.
 *
 *   npm run bench                                about 3 minutes (sizes and repetitions fitted)
 *   npm run bench -- --quick                     about 80 s
 *   npm run bench -- --full                      the long fixed run (big 2^24, 20 steps × 7)
 *   npm run bench -- --algorithms=adam,sgd --scenarios=model,tiny
 *   npm run bench -- --algorithms=sgd,sgd-plain    SGD with momentum 0.9, and plain SGD
 *   npm run bench -- --steps=20 --reps=7 --no-tfjs --no-cpu
 *   npm run bench -- --layout=separate            one buffer per tensor instead of a ParamArena
 *   npm run bench -- --no-features                skip the clipGradNorm / GradScaler costs
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_KEYS } from '../bench/algorithms.ts';
import { chartSvg } from '../bench/chart.ts';
import type { Calibration } from '../bench/costModel.ts';
import { MODES, planBench, type Mode, type PlanRequest } from '../bench/plan.ts';
import { describeCalibration, describePlan, duration } from '../bench/planText.ts';
import {
  COLUMNS,
  FEATURE_COLUMNS,
  SCALING_COLUMNS,
  featureRows,
  scalingRows,
  tableRows,
  textTable,
} from '../bench/table.ts';
import type { BenchConfig, BenchResult, ScenarioName } from '../bench/types.ts';
import { openGpuPage } from './gpuPage.ts';

const ALGORITHMS = BENCH_KEYS;
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

function options(): { request: PlanRequest; config: BenchConfig; out: string } {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
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
  if (values.quick && values.full) throw new Error('--quick and --full: choose one');
  const mode: Mode = values.quick ? 'quick' : values.full ? 'full' : 'default';
  const int = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--${flag} must be a positive integer, got ${v}`);
    return n;
  };
  const steps = int(values.steps, 'steps');
  const reps = int(values.reps, 'reps');
  const full = MODES.full;
  const request: PlanRequest = {
    mode,
    algorithms: list(values.algorithms, ALGORITHMS, 'algorithms'),
    scenarios: list(values.scenarios, SCENARIOS, 'scenarios'),
    peers: { tfjs: !values['no-tfjs'], plainJs: !values['no-cpu'], reference: !values['no-cpu'] },
    tinyScaling: [50, 500],
    ...(values['no-features'] ? {} : { featureCosts: 'model' as const }),
    ...(steps !== undefined ? { steps } : {}),
    ...(reps !== undefined ? { reps } : {}),
    elapsedS: 0,
  };
  return {
    out: values.out as string,
    request,
    // Steps and repetitions for anything the plan leaves out: --full's fixed ones.
    config: {
      algorithms: request.algorithms,
      scenarios: request.scenarios,
      steps: steps ?? (full.ours.steps as number),
      reps: reps ?? full.ours.reps,
      tfjsSteps: full.tfjs.steps as number,
      tfjsReps: full.tfjs.reps,
      cpuSteps: full.cpu.steps as number,
      cpuReps: full.cpu.reps,
      peers: request.peers,
      options: {},
      tinyScaling: request.tinyScaling,
      layout: list(values.layout, ['arena', 'separate'] as const, 'layout')[0] as
        'arena' | 'separate',
      ...(request.featureCosts ? { featureCosts: request.featureCosts } : {}),
    },
  };
}

function print(result: BenchResult, mode: Mode): void {
  console.log(
    `\ntiming: ${result.timing}; roofline per scenario: ${result.scenarios.map((s) => `${s.name} ${s.roofline.best.toFixed(2)} GB/s`).join(', ')}\n`,
  );
  console.log(textTable(COLUMNS, tableRows(result)));
  if (result.tinyScaling.length > 0) {
    console.log('\nhost time per step on tiny (Adam), by tensor count:');
    console.log(textTable(SCALING_COLUMNS, scalingRows(result)));
  }
  if (result.featureCosts) {
    console.log(`\nwhat the training-loop features cost (Adam, ${result.featureCosts.scenario}):`);
    console.log(textTable(FEATURE_COLUMNS, featureRows(result)));
  }
  const flagged =
    result.scenarios.reduce((a, s) => a + s.rows.filter((r) => r.unreliable).length, 0) +
    result.tinyScaling.filter((p) => p.unreliable).length +
    (result.featureCosts?.rows.filter((r) => r.unreliable).length ?? 0);
  if (flagged > 0)
    console.log(
      `\n! ${flagged} row(s) unreliable (spread over 25 % or physically impossible; reasons in "flags"): do not quote them. ` +
        (mode === 'full'
          ? 'Rerun on a quieter machine.'
          : 'Rerun on a quieter machine or with --full.'),
    );
}

async function main(): Promise<void> {
  const started = Date.now();
  const { request, config: cfg, out } = options();
  const elapsed = () => (Date.now() - started) / 1000;
  console.log(`webgpu-optim bench (${request.mode}): starting Chrome and calibrating…`);
  const gpu = await openGpuPage(
    '/bench/index.html',
    (line) => {
      if (line.startsWith('[bench] '))
        console.log(`  ${elapsed().toFixed(0).padStart(4)}s  ${line.slice(8)}`);
    },
    ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu'],
  );
  let planned = 0;
  try {
    console.log(`browser: ${gpu.browserVersion}; adapter: ${JSON.stringify(gpu.adapterInfo)}`);
    const calibration = (await gpu.page.evaluate(
      (tfjs) => window.__calibrate(tfjs),
      request.peers.tfjs,
    )) as Calibration;
    const plan = planBench({ ...request, elapsedS: elapsed() }, calibration);
    console.log(describeCalibration(calibration));
    for (const line of describePlan(plan, request)) console.log(line);
    const { featureCosts: _asked, ...rest } = cfg;
    const config: BenchConfig = {
      ...rest,
      ...(plan.featureCosts ? { featureCosts: plan.featureCosts } : {}),
      plan: { bigLog2: plan.bigLog2, units: plan.units },
    };
    const result = (await gpu.page.evaluate((c) => window.__runBench(c), config)) as BenchResult;
    const tookS = elapsed();
    const report = {
      ...result,
      browser: gpu.browserVersion,
      calibration,
      plan: {
        mode: plan.mode,
        budgetS: plan.budgetS,
        bigLog2: plan.bigLog2,
        fewestPeerReps: plan.fewestPeerReps,
        estimateS: plan.estimateS,
      },
      wallS: tookS,
    };
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(out, 'latest.svg'), chartSvg(result));
    print(result, request.mode);
    if (gpu.consoleProblems.length > 0)
      console.warn(`\npage warnings:\n${gpu.consoleProblems.join('\n')}`);
    console.log(`\nwrote ${join(out, 'latest.json')} and ${join(out, 'latest.svg')}`);
    planned = plan.estimateS;
  } finally {
    await gpu.close();
  }
  console.log(`took ${duration(elapsed())} (planned about ${duration(planned)})`);
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
