/**
 * `npm run example -- --node`: runs the README's quick example (examples/quickstart.ts) in Node
 * on Dawn (the `webgpu` package) and prints the params next to the CPU reference's. Where Node
 * finds no adapter, it re-runs itself with the Vulkan loader environment of scripts/dawn.ts
 * (which must be set before Node starts).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';
import { create, globals } from 'webgpu';
import { AdamReference } from '../src/reference/index.ts';
import type { quickstart } from '../examples/quickstart.ts';
import { findDawn } from './dawn.ts';

const RETRIED = 'WEBGPU_OPTIM_DAWN_RETRIED';

/** Dawn's GPU object, referenced for as long as the process runs (see docs/node.md). */
let dawn: GPU | null = null;

/** Runs the example; resolves to the process's exit code. */
export async function runNodeExample(): Promise<number> {
  dawn = create([]);
  const adapter = await dawn.requestAdapter();
  if (!adapter) {
    if (process.env[RETRIED])
      throw new Error('no WebGPU adapter in Node, even with the loader environment');
    const setup = findDawn();
    if (!setup.adapter) throw new Error(`no WebGPU adapter in Node: ${setup.tried.join('; ')}`);
    console.log(`No adapter; re-running with ${JSON.stringify(setup.env)}`);
    const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, ...setup.env, [RETRIED]: '1' },
    });
    return child.status ?? 1;
  }
  // examples/quickstart.ts uses the GPUBufferUsage and GPUMapMode globals; the package does not.
  Object.assign(globalThis, globals);
  const device = await adapter.requestDevice();
  const info = adapter.info;
  console.log(
    `Node ${process.version}, webgpu (Dawn): ${info.vendor} ${info.architecture} ${info.description}`,
  );
  // The package imports its WGSL with `?raw`, so the example is loaded through Vite, as the
  // tests load it, with 'webgpu-optim' resolved to the source.
  const root = fileURLToPath(new URL('..', import.meta.url));
  const { module } = await runnerImport<{ quickstart: typeof quickstart }>(
    `${root}examples/quickstart.ts`,
    {
      configFile: false,
      logLevel: 'error',
      resolve: {
        alias: [
          { find: /^webgpu-optim\/reference$/, replacement: `${root}src/reference/index.ts` },
          { find: /^webgpu-optim$/, replacement: `${root}src/index.ts` },
        ],
      },
    },
  );
  const gpuParams = await module.quickstart(device);
  device.destroy();

  // The same two Adam steps on the CPU reference (the example's tensors sit at bytes 0 and 32).
  const params = [new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7])];
  const grads = [new Float32Array([1, -2, 3, -4]), new Float32Array([5, -6, 7])];
  const ref = new AdamReference(params, { lr: 0.1 });
  ref.step(grads);
  ref.step(grads);
  const gpuTensors = [gpuParams.slice(0, 4), gpuParams.slice(8, 11)];
  const show = (a: Float32Array) => `[${Array.from(a, (x) => x.toFixed(6)).join(', ')}]`;
  let differ = 0;
  gpuTensors.forEach((g, i) => {
    const r = params[i] as Float32Array;
    console.log(`param ${i}: GPU ${show(g)}  CPU reference ${show(r)}`);
    g.forEach((x, k) => (differ += Object.is(x, r[k]) ? 0 : 1));
  });
  console.log(
    differ === 0
      ? 'GPU (webgpu-optim on Dawn) and CPU reference agree bitwise.'
      : `${differ} elements differ between the GPU and the CPU reference.`,
  );
  return differ === 0 ? 0 : 1;
}
