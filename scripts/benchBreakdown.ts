/**
 * `npm run bench:breakdown`: where the time of a many-tensor step goes (bench/breakdown.ts).
 * Steps model and tiny through each dispatch path in one headless-Chrome run and prints ms per
 * step, GB/s, the share of the single-tensor ceiling and the dispatches of each.
 *
 *   npm run bench:breakdown                        model and tiny, Adam and SGD, 10 steps × 5
 *   npm run bench:breakdown -- --algorithms=adam --scenarios=tiny --steps=5 --reps=3
 *   npm run bench:breakdown -- --algorithms=lamb,adam --scenarios=tiny   LAMB pass by pass too
 *   npm run bench:breakdown -- --variants=single,arena                  only those variants
 *   npm run bench:breakdown -- --algorithms=sgd-plain                    a row key of bench/algorithms.ts
 */
import { parseArgs } from 'node:util';
import { benchAlgorithm } from '../bench/algorithms.ts';
import type { BreakdownRow } from '../bench/breakdown.ts';
import {
  BREAKDOWN_VARIANTS,
  variantSlug,
  type BreakdownVariant,
} from '../bench/breakdownVariants.ts';
import { textTable } from '../bench/table.ts';
import { openGpuPage } from './gpuPage.ts';

/** --variants=single,arena,rows-x4: a subset of BREAKDOWN_VARIANTS by slug. */
function variants(value: string): BreakdownVariant[] {
  return value.split(',').map((slug) => {
    const v = BREAKDOWN_VARIANTS.find((x) => variantSlug(x) === slug.trim());
    if (!v) {
      throw new Error(
        `--variants: unknown "${slug}"; choose from ${BREAKDOWN_VARIANTS.map(variantSlug).join(', ')}`,
      );
    }
    return v;
  });
}

const SCENARIOS = ['model', 'tiny', 'big'] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      algorithms: { type: 'string', default: 'adam,sgd' },
      scenarios: { type: 'string', default: 'model,tiny' },
      steps: { type: 'string', default: '10' },
      reps: { type: 'string', default: '5' },
      variants: { type: 'string' },
    },
  });
  const scenarios = (values.scenarios as string).split(',');
  for (const s of scenarios) {
    if (!SCENARIOS.includes(s as (typeof SCENARIOS)[number])) {
      throw new Error(`--scenarios: unknown "${s}"; choose from ${SCENARIOS.join(', ')}`);
    }
  }
  const config = {
    // Benchmark row keys (bench/algorithms.ts): an unknown one fails here, before Chrome starts.
    algorithms: (values.algorithms as string)
      .split(',')
      .map((key) => benchAlgorithm(key.trim()).key),
    scenarios: scenarios as (typeof SCENARIOS)[number][],
    steps: Number(values.steps),
    reps: Number(values.reps),
    ...(values.variants ? { variants: variants(values.variants) } : {}),
  };
  if (![config.steps, config.reps].every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error('--steps and --reps must be positive integers');
  }
  const gpu = await openGpuPage(
    '/bench/index.html',
    (line) => {
      if (line.startsWith('[bench] ')) console.log(`  ${line.slice(8)}`);
    },
    ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu'],
  );
  try {
    console.log(`browser: ${gpu.browserVersion}; adapter: ${JSON.stringify(gpu.adapterInfo)}`);
    const rows = (await gpu.page.evaluate(
      (c) => window.__runBreakdown(c),
      config,
    )) as BreakdownRow[];
    const single = (r: BreakdownRow) =>
      rows.find(
        (x) =>
          x.scenario === r.scenario &&
          x.algorithm === r.algorithm &&
          x.variant === 'single' &&
          !x.pass,
      );
    const ceiling = (r: BreakdownRow) => single(r)?.gbps ?? NaN;
    // On a loaded machine the fastest repetition is the least disturbed one.
    const minShare = (r: BreakdownRow) =>
      (100 * (single(r)?.msPerStep.min ?? NaN)) / r.msPerStep.min;
    console.log(
      `\n${textTable(
        [
          'scenario',
          'algorithm',
          'variant',
          'ms/step',
          'spread',
          'GB/s',
          '% single',
          'min ms',
          '% single (min)',
          'dispatches',
        ],
        rows.map((r) => [
          r.scenario,
          r.algorithm,
          r.pass ? `${r.variant}, ${r.pass} only` : r.variant,
          r.msPerStep.median.toFixed(2),
          `${(100 * r.msPerStep.spread).toFixed(0)}%`,
          r.gbps.toFixed(2),
          ((100 * r.gbps) / ceiling(r)).toFixed(0),
          r.msPerStep.min.toFixed(2),
          minShare(r).toFixed(0),
          String(r.dispatches),
        ]),
      )}`,
    );
  } finally {
    await gpu.close();
  }
}

main().catch((e: unknown) => {
  console.error(`bench:breakdown failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
