/**
 * `npm run example`: trains a small regression on the GPU with every optimizer in headless
 * Chrome and prints the losses next to the CPU reference's. `--serve` serves the page for a
 * normal Chrome instead; `--node` runs the quick example in Node on Dawn (scripts/nodeExample.ts);
 * `npm run example -- autompg` runs the seed notes' auto-mpg comparison
 * (scripts/exampleAutompg.ts).
 */
import { autompgExample } from './exampleAutompg.ts';
import { openGpuPage } from './gpuPage.ts';
import { startPageServer } from './pageServer.ts';
import { runNodeExample } from './nodeExample.ts';
import type { train } from '../examples/train.ts';

type Result = Awaited<ReturnType<typeof train>>;

async function main(): Promise<void> {
  if (process.argv.slice(2).includes('autompg')) {
    await autompgExample(process.argv.slice(2));
    return;
  }
  if (process.argv.includes('--node')) {
    // with the example's status (that of the re-run child, when it re-ran itself)
    process.exit(await runNodeExample());
  }
  if (process.argv.includes('--serve')) {
    const server = await startPageServer();
    console.log(`Open ${server.url}/examples/train.html in Chrome (Ctrl+C to stop).`);
    return;
  }
  console.log('Starting headless Chrome with WebGPU…');
  const gpu = await openGpuPage('/examples/train.html');
  try {
    console.log(`browser: ${gpu.browserVersion}; adapter: ${JSON.stringify(gpu.adapterInfo)}`);
    const result = (await gpu.page.evaluate(() => window.__train())) as Result;
    const pad = (s: string, n: number) => s.padStart(n);
    const header =
      'optimizer'.padEnd(36) +
      (result.rows[0]?.losses ?? [])
        .map(([s]) => pad(`loss@${s} GPU`, 15) + pad('CPU ref', 12))
        .join('') +
      pad('max|Δparam|', 13) +
      pad('ms/step', 9);
    console.log(`\n${header}\n${'-'.repeat(header.length)}`);
    for (const r of result.rows) {
      console.log(
        r.optimizer.padEnd(36) +
          r.losses
            .map(([, g, c]) => pad(g.toExponential(3), 15) + pad(c.toExponential(3), 12))
            .join('') +
          pad(r.maxParamDiff.toExponential(2), 13) +
          pad(r.gpuMsPerStep.toFixed(3), 9),
      );
    }
    if (gpu.consoleProblems.length > 0) {
      throw new Error(`the page reported problems:\n${gpu.consoleProblems.join('\n')}`);
    }
    console.log('\nGPU (webgpu-optim kernels) and CPU (webgpu-optim/reference) runs agree.');
  } finally {
    await gpu.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
