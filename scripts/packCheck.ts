/**
 * `npm run pack:check` (and .ci/run): packs the package as `npm publish` would, installs the
 * tarball into a scratch consumer project outside the repository and uses it there the way
 * users do (test/package/ holds the consumer's files and says what each checks):
 * 1. the tarball holds every file `exports` points at, LICENSE, and no tests or scripts;
 * 2. `tsc --noEmit` (strict, skipLibCheck off) passes on test/package/types.ts with the
 *    published declarations, under moduleResolution Bundler and NodeNext;
 * 3. Node imports both entries and the WGSL files, and the CPU reference takes an Adam step;
 * 4. Vite bundles a page from the installed package and headless Chrome runs a GPU Adam step.
 * Throws on the first problem (exit code 1) and keeps the scratch folder for a look.
 * TypeScript, Vite and @webgpu/types come from this repository's node_modules, so the consumer
 * installs nothing but the tarball (which has no dependencies) and needs no network.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchChrome } from './browser.ts';
import { serveFolder } from './staticServer.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'package');

/** The runtime exports of each entry: the documented API (README, "API"). */
const API = [
  'Adagrad',
  'Adam',
  'AdamW',
  'DEFAULTS',
  'GradScaler',
  'LRScheduler',
  'Optimizer',
  'OptimizerError',
  'ParamArena',
  'RMSprop',
  'SGD',
  'chain',
  'cosineAnnealing',
  'createOptimizer',
  'deserializeStateDict',
  'exponentialDecay',
  'inverseTimeDecay',
  'linearWarmup',
  'oneCycle',
  'sequential',
  'serializeStateDict',
  'stepDecay',
];
const REFERENCE_API = [
  'AdagradReference',
  'AdamReference',
  'AdamWReference',
  'DEFAULTS',
  'GradScalerReference',
  'RMSpropReference',
  'ReferenceOptimizer',
  'SGDReference',
  'adagradKernel',
  'adagradScalars',
  'adamKernel',
  'adamScalars',
  'bf16Bits',
  'bf16FromBits',
  'epsFloor',
  'f16Bits',
  'f16FromBits',
  'rmspropKernel',
  'rmspropScalars',
  'roundToBf16',
  'roundToF16',
  'sgdKernel',
  'sgdScalars',
];

/**
 * One Adam step from p = [1, 2, 3] with g = [0.5, -0.5, 2], lr 0.1, PyTorch's defaults:
 * exp_avg = 0.1·g, exp_avg_sq = 0.001·g², step_size = lr / (1 - 0.9) = 1,
 * denom = sqrt(0.001·g²) / sqrt(0.001) + 1e-8 = |g| + 1e-8, so
 * p - 1 · 0.1·g / (|g| + 1e-8) = p - 0.1·sign(g) up to eps (5e-9 relative) and f32 rounding.
 */
const ADAM_STEP = [0.9, 2.1, 2.9];
const ADAM_TOLERANCE = 1e-6;

function fail(message: string): never {
  throw new Error(message);
}

function checkEqual(what: string, actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

function checkAdamStep(what: string, values: readonly number[]): void {
  if (values.length !== ADAM_STEP.length) fail(`${what}: expected 3 values, got ${values}`);
  values.forEach((v, i) => {
    const e = ADAM_STEP[i] as number;
    if (!(Math.abs(v - e) <= ADAM_TOLERANCE)) {
      fail(`${what}: element ${i} is ${v}, expected ${e} ± ${ADAM_TOLERANCE}`);
    }
  });
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    fail(`${command} ${args.join(' ')} failed in ${cwd}:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

async function phase<T>(name: string, body: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await body();
  console.log(`pack check: ${name} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return result;
}

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

/** `npm pack` (which runs `prepare`, so dist/ is built as for `npm publish`). */
function pack(work: string): PackResult {
  // prepare (scripts/prepare.mjs) sends the build's log to stderr: stdout is npm's JSON.
  const out = run('npm', ['pack', '--json', '--pack-destination', work], ROOT);
  const result = (JSON.parse(out) as PackResult[])[0] ?? fail('npm pack printed no result');
  const files = new Set(result.files.map((f) => f.path));
  const shaders = readdirSync(join(ROOT, 'shaders')).filter((f) => f.endsWith('.wgsl'));
  const required = [
    'package.json',
    'LICENSE',
    'README.md',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/index.d.ts.map',
    'dist/reference.js',
    'dist/reference/index.d.ts',
    'src/index.ts',
    ...shaders.map((f) => `shaders/${f}`),
  ];
  for (const f of required) if (!files.has(f)) fail(`the tarball lacks ${f}`);
  const stray = [...files].filter((f) => /^(test|scripts|bench|examples|node_modules)\//.test(f));
  if (stray.length > 0) fail(`the tarball holds files users do not need: ${stray.join(', ')}`);
  return result;
}

/** The consumer project: the tarball installed, the fixture copied, tools linked from here. */
function makeConsumer(work: string, tarball: string): string {
  const dir = join(work, 'consumer');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
  );
  run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], dir);
  mkdirSync(join(dir, 'node_modules', '@webgpu'));
  symlinkSync(
    join(ROOT, 'node_modules', '@webgpu', 'types'),
    join(dir, 'node_modules', '@webgpu', 'types'),
  );
  for (const f of ['types.ts', 'node.mjs', 'index.html', 'main.js']) {
    copyFileSync(join(FIXTURE, f), join(dir, f));
  }
  return dir;
}

/** Strict settings, stricter than this repository's own (exactOptionalPropertyTypes). */
function typecheck(dir: string, moduleResolution: 'Bundler' | 'NodeNext'): void {
  const config = `tsconfig.${moduleResolution.toLowerCase()}.json`;
  const compilerOptions = {
    target: 'ES2022',
    module: moduleResolution === 'Bundler' ? 'ESNext' : 'NodeNext',
    moduleResolution,
    lib: ['ES2022', 'DOM'],
    types: ['@webgpu/types'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noImplicitOverride: true,
    verbatimModuleSyntax: true,
    skipLibCheck: false,
    noEmit: true,
  };
  writeFileSync(join(dir, config), JSON.stringify({ compilerOptions, files: ['types.ts'] }));
  run(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config],
    dir,
  );
}

function checkNode(dir: string): number[] {
  const out = JSON.parse(run(process.execPath, ['node.mjs'], dir)) as {
    api: string[];
    reference: string[];
    adamWgsl: string;
    commonWgsl: string;
    deepImport: string;
    values: number[];
    step: number;
  };
  checkEqual("exports of 'webgpu-optim'", out.api, API);
  checkEqual("exports of 'webgpu-optim/reference'", out.reference, REFERENCE_API);
  checkEqual(
    'first line of webgpu-optim/shaders/adam.wgsl',
    out.adamWgsl.slice(0, 14),
    '// adam.wgsl: ',
  );
  checkEqual(
    'first line of webgpu-optim/shaders/common.wgsl',
    out.commonWgsl.slice(0, 16),
    '// common.wgsl: ',
  );
  checkEqual('a deep import into dist/', out.deepImport, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
  checkEqual('the reference step count', out.step, 1);
  checkAdamStep('the reference Adam step in Node', out.values);
  return out.values;
}

async function checkBrowser(dir: string, reference: number[]): Promise<void> {
  await build({
    root: dir,
    configFile: false,
    logLevel: 'error',
    build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  });
  const server = await serveFolder(join(dir, 'dist'));
  const chrome = await launchChrome();
  try {
    const page = await chrome.browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(server.url);
    await page.waitForFunction('window.__result !== undefined', { timeout: 120_000 });
    const result = (await page.evaluate('window.__result')) as {
      values?: number[];
      error: string | null;
      adamWgsl?: string;
      adapter?: string;
    };
    if (result.error !== null) fail(`the bundled page failed: ${result.error}`);
    if (problems.length > 0) fail(`the bundled page logged: ${problems.join('\n')}`);
    checkEqual(
      '?raw import of webgpu-optim/shaders/adam.wgsl',
      result.adamWgsl?.slice(0, 14),
      '// adam.wgsl: ',
    );
    checkAdamStep('the GPU Adam step in Chrome', result.values ?? []);
    // The project's parity contract: bitwise on SwiftShader (what CI runs on).
    if (/swiftshader/i.test(result.adapter ?? '')) {
      checkEqual(
        'the GPU step against the reference (bitwise, SwiftShader)',
        result.values,
        reference,
      );
    }
    console.log(`pack check: GPU step on ${result.adapter ?? 'unknown adapter'}: ${result.values}`);
  } finally {
    await chrome.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'webgpu-optim-pack-'));
  try {
    const packed = await phase('npm pack', () => pack(work));
    console.log(
      `pack check: ${packed.filename}: ${packed.files.length} files, ` +
        `${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked`,
    );
    const dir = await phase('install the tarball into a scratch project', () =>
      makeConsumer(work, join(work, packed.filename)),
    );
    await phase('tsc, moduleResolution Bundler', () => typecheck(dir, 'Bundler'));
    await phase('tsc, moduleResolution NodeNext', () => typecheck(dir, 'NodeNext'));
    const reference = await phase('Node: imports and a reference step', () => checkNode(dir));
    await phase('Chrome: a Vite bundle runs a GPU step', () => checkBrowser(dir, reference));
  } catch (e) {
    console.error(
      `\npack check FAILED (scratch project kept in ${work}):\n${(e as Error).message}`,
    );
    process.exit(1);
  }
  rmSync(work, { recursive: true, force: true });
  console.log(`pack check: passed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

await main();
