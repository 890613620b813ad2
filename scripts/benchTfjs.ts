/**
 * `npm run bench:tfjs`: runs bench/tfjsAdapter.html headless and prints host and wall ms per
 * step for webgpu-optim/tfjs's two gradient transfers ('copy', 'bind') and tf.train.adam.
 *
 *   npm run bench:tfjs -- --steps=50 --reps=3
 */
import { parseArgs } from 'node:util';
import type { TfjsAdapterRow } from '../bench/tfjsAdapter.ts';
import { openGpuPage } from './gpuPage.ts';

const { values } = parseArgs({
  options: { steps: { type: 'string', default: '30' }, reps: { type: 'string', default: '3' } },
});
const steps = Number(values.steps);
const reps = Number(values.reps);
if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(reps) || reps < 1) {
  throw new Error(
    `--steps and --reps must be positive integers, got ${values.steps}, ${values.reps}`,
  );
}
const gpu = await openGpuPage('/bench/tfjsAdapter.html', undefined, [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-webgpu',
]);
try {
  console.log(`browser: ${gpu.browserVersion}; adapter: ${JSON.stringify(gpu.adapterInfo)}`);
  const rows = (await gpu.page.evaluate(
    (s, r) =>
      (
        window as unknown as {
          __benchTfjsAdapter: (s: number, r: number) => Promise<TfjsAdapterRow[]>;
        }
      ).__benchTfjsAdapter(s, r),
    steps,
    reps,
  )) as TfjsAdapterRow[];
  console.log('scenario  mode            host ms/step  wall ms/step  our bind groups/step');
  for (const r of rows) {
    console.log(
      `${r.scenario.padEnd(9)} ${r.mode.padEnd(15)} ${r.hostMs.toFixed(3).padStart(12)} ${r.wallMs.toFixed(3).padStart(13)} ${r.bindGroupsPerStep.toFixed(2).padStart(21)}`,
    );
  }
} finally {
  await gpu.close();
}
