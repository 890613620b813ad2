/**
 * Run by Node in the consumer project (see README.md here): imports the installed tarball the
 * way users do and prints one JSON line for scripts/packCheck.ts to check. Throws on any
 * problem. The TF.js packages are installed, but a resolve hook refuses every @tensorflow
 * module: the main entries must not load TF.js (only 'webgpu-optim/tfjs' may).
 */
import { readFileSync } from 'node:fs';
import { register } from 'node:module';

const REFUSE_TFJS = `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (specifier.startsWith('@tensorflow/') || r.url.includes('/node_modules/@tensorflow/')) {
    throw new Error('refused @tensorflow module ' + specifier + ' imported from ' + context.parentURL);
  }
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(REFUSE_TFJS)}`);

const api = await import('webgpu-optim');
const reference = await import('webgpu-optim/reference');

// The WGSL files are exported as they are in the repository's shaders/ folder.
const adamWgsl = readFileSync(
  new URL(import.meta.resolve('webgpu-optim/shaders/adam.wgsl')),
  'utf8',
);
const commonWgsl = readFileSync(
  new URL(import.meta.resolve('webgpu-optim/shaders/common.wgsl')),
  'utf8',
);

// Deep imports into dist/ are refused: only the entries in package.json "exports" are public.
let deepImport = 'resolved';
try {
  await import('webgpu-optim/dist/kernels/spec.js');
} catch (e) {
  deepImport = e.code;
}

// The hook is in force: the tfjs entry, which imports TF.js, is refused.
let tfjsRefused = '';
try {
  await import('webgpu-optim/tfjs');
} catch (e) {
  tfjsRefused = e.message;
}

// One Adam step of the CPU reference: the same numbers as the GPU step in main.js.
const w = new Float32Array([1, 2, 3]);
const adam = new reference.AdamReference([w], { lr: 0.1 });
adam.step([new Float32Array([0.5, -0.5, 2])]);

console.log(
  JSON.stringify({
    api: Object.keys(api).sort(),
    reference: Object.keys(reference).sort(),
    adamWgsl: adamWgsl.split('\n')[0],
    commonWgsl: commonWgsl.split('\n')[0],
    deepImport,
    tfjsRefused,
    values: Array.from(w),
    step: adam.stateDict().state[0].step,
  }),
);
