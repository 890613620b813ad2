/**
 * `npm run pack:check` (and .ci/run): packs the package as `npm publish` would, installs the
 * tarball into a scratch consumer project outside the repository and uses it there the way
 * users do (test/package/ holds the consumer's files and says what each checks):
 * 1. the tarball holds every file `exports` points at, LICENSE, and no tests or scripts;
 * 2. without TF.js installed, Node imports the main entries, and 'webgpu-optim/tfjs' fails
 *    with an error naming @tensorflow/tfjs-core; then the TF.js packages are added;
 * 3. `tsc --noEmit` (strict, skipLibCheck off) passes on test/package/types.ts and tfjs.ts with
 *    the published declarations, under moduleResolution Bundler and NodeNext;
 * 4. Node imports every entry and the WGSL files, the main entries load no @tensorflow module,
 *    and the CPU reference takes an Adam step;
 * 5. Vite bundles two pages from the installed packages and headless Chrome runs a GPU Adam
 *    step, and model.fit with createTfjsOptimizer('adam') against tf.train.adam.
 * Throws on the first problem (exit code 1) and keeps the scratch folder for a look.
 * TypeScript, Vite, @webgpu/types and the TF.js packages come from this repository's
 * node_modules (linked, at the versions it tests), so the consumer installs nothing but the
 * tarball (which has no dependencies) and needs no network.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchChrome, type LaunchedChrome } from './browser.ts';
import { serveFolder } from './staticServer.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'package');
const FIXTURE_FILES = [
  'types.ts',
  'tfjs.ts',
  'node.mjs',
  'noTfjs.mjs',
  'nodeTfjs.mjs',
  'index.html',
  'main.js',
  'tfjs.html',
  'tfjs.js',
];

/** What a TF.js user installs next to webgpu-optim: the peer dependencies and tfjs-layers. */
const TFJS_PACKAGES = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-layers',
];

/** The runtime exports of each entry: the documented API (README, "API"). */
const API = [
  'Adadelta',
  'Adagrad',
  'Adam',
  'AdamW',
  'Adamax',
  'DEFAULTS',
  'GradScaler',
  'LAMB',
  'LRScheduler',
  'Lion',
  'NAdam',
  'Optimizer',
  'OptimizerError',
  'ParamArena',
  'RAdam',
  'RMSprop',
  'SGD',
  'ScheduleFreeAdamW',
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
const TFJS_API = ['TfjsOptimizer', 'createTfjsOptimizer'];
const REFERENCE_API = [
  'AdadeltaReference',
  'AdagradReference',
  'AdamReference',
  'AdamWReference',
  'AdamaxReference',
  'DEFAULTS',
  'GradScalerReference',
  'LAMBReference',
  'LionReference',
  'MIN_8BIT_SIZE',
  'NAdamReference',
  'Q8_BLOCK',
  'Q8_ROUNDED_UP',
  'RAdamReference',
  'RMSpropReference',
  'ReferenceOptimizer',
  'SGDReference',
  'SIGNED_MAP',
  'ScheduleFreeAdamWReference',
  'UNSIGNED_MAP',
  'adadeltaKernel',
  'adadeltaScalars',
  'adagradKernel',
  'adagradScalars',
  'adamKernel',
  'adamScalars',
  'adamaxKernel',
  'adamaxScalars',
  'bf16Bits',
  'bf16FromBits',
  'blockAbsmax',
  'dequantize',
  'epsFloor',
  'f16Bits',
  'f16FromBits',
  'lambKernel',
  'lambRatio',
  'lambScalars',
  'lionKernel',
  'lionScalars',
  'modeWeights',
  'nadamKernel',
  'nadamScalars',
  'q8Code',
  'q8Value',
  'quantize',
  'radamKernel',
  'radamScalars',
  'rmspropKernel',
  'rmspropScalars',
  'roundToBf16',
  'roundToF16',
  'scheduleFreeKernel',
  'scheduleFreeRunning',
  'scheduleFreeScalars',
  'scheduleFreeSwitch',
  'sgdKernel',
  'sgdScalars',
  'tensorSums',
];

/**
 * One Adam step from p = [1, 2, 3] with g = [0.5, -0.5, 2], lr 0.1, PyTorch's defaults:
 * exp_avg = 0.1·g, exp_avg_sq = 0.001·g², step_size = lr / (1 - 0.9) = 1,
 * denom = sqrt(0.001·g²) / sqrt(0.001) + 1e-8 = |g| + 1e-8, so
 * p - 1 · 0.1·g / (|g| + 1e-8) = p - 0.1·sign(g) up to eps (5e-9 relative) and f32 rounding.
 */
const ADAM_STEP = [0.9, 2.1, 2.9];
const ADAM_TOLERANCE = 1e-6;

/**
 * model.fit with createTfjsOptimizer('adam', { lr, eps: 1e-7 }) against tf.train.adam(lr):
 * the bound test/browser/tfjs.test.ts holds every epoch's loss to (1e-4 relative; measured
 * 8e-6 on SwiftShader, as TF.js writes Adam's bias correction differently).
 */
const TFJS_LOSS_TOLERANCE = 1e-4;
const TFJS_EPOCHS = 3;

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
    'dist/tfjs.js',
    'dist/adapters/tfjs/index.d.ts',
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
  for (const f of FIXTURE_FILES) copyFileSync(join(FIXTURE, f), join(dir, f));
  return dir;
}

/** "^4.22.0" holds 4.22.0 … <5: the only range form the peer dependencies use. */
function satisfiesCaret(version: string, range: string): boolean {
  const r = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range) ?? fail(`peer range ${range} is not ^x.y.z`);
  const v = /^(\d+)\.(\d+)\.(\d+)$/.exec(version) ?? fail(`version ${version} is not x.y.z`);
  const [rMajor, rMinor, rPatch] = r.slice(1).map(Number) as [number, number, number];
  const [major, minor, patch] = v.slice(1).map(Number) as [number, number, number];
  if (major !== rMajor) return false;
  return minor > rMinor || (minor === rMinor && patch >= rPatch);
}

/**
 * Links this repository's TF.js packages into the consumer (no network, no copying), after
 * checking the published package.json: both TF.js packages are optional peer dependencies
 * whose ranges hold the versions linked.
 */
function addTfjs(dir: string): void {
  const pkg = JSON.parse(
    readFileSync(join(dir, 'node_modules', 'webgpu-optim', 'package.json'), 'utf8'),
  ) as {
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    dependencies?: Record<string, string>;
  };
  checkEqual('dependencies of the published package', pkg.dependencies ?? {}, {});
  mkdirSync(join(dir, 'node_modules', '@tensorflow'));
  for (const name of TFJS_PACKAGES) {
    const source = join(ROOT, 'node_modules', name);
    const { version } = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as {
      version: string;
    };
    if (name !== '@tensorflow/tfjs-layers') {
      const range = pkg.peerDependencies?.[name] ?? fail(`${name} is not a peer dependency`);
      if (pkg.peerDependenciesMeta?.[name]?.optional !== true) fail(`${name} is not optional`);
      if (!satisfiesCaret(version, range)) fail(`${name}@${version} is outside ${range}`);
    }
    symlinkSync(source, join(dir, 'node_modules', name));
  }
}

/** Node without TF.js: the main entries import, the tfjs entry names what is missing. */
function checkNodeWithoutTfjs(dir: string): void {
  const out = JSON.parse(run(process.execPath, ['noTfjs.mjs'], dir)) as {
    api: number;
    reference: number;
    tfjs: { code: string; message: string };
  };
  checkEqual("the number of exports of 'webgpu-optim' without TF.js", out.api, API.length);
  checkEqual('the number of exports of its reference entry', out.reference, REFERENCE_API.length);
  checkEqual("importing 'webgpu-optim/tfjs' without TF.js", out.tfjs.code, 'ERR_MODULE_NOT_FOUND');
  if (!out.tfjs.message.includes("'@tensorflow/tfjs-core'")) {
    fail(`the error of 'webgpu-optim/tfjs' without TF.js names no package: ${out.tfjs.message}`);
  }
  console.log(`pack check: without TF.js, 'webgpu-optim/tfjs' throws: ${out.tfjs.message}`);
}

/**
 * TF.js 4.22's own declarations do not compile under skipLibCheck: false (tfjs-core needs the
 * global `Long` of @types/long and brings its own, older @webgpu/types, which clashes with the
 * current one; tfjs-layers' LayersModel does not implement InferenceModel under strict null
 * checks). Those errors, and only those, are allowed in the tfjs check: every error has to be
 * in a file of these folders.
 */
const TFJS_LIB_ERRORS = /node_modules\/(@tensorflow\/|@webgpu\/types\/)/;

/** Strict settings, stricter than this repository's own (exactOptionalPropertyTypes). */
function typecheck(
  dir: string,
  moduleResolution: 'Bundler' | 'NodeNext',
  file: 'types.ts' | 'tfjs.ts',
  skipLibCheck: boolean,
): void {
  const config = `tsconfig.${file.replace('.ts', '')}.${moduleResolution.toLowerCase()}.json`;
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
    skipLibCheck,
    noEmit: true,
  };
  writeFileSync(join(dir, config), JSON.stringify({ compilerOptions, files: [file] }));
  const tsc = [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config];
  if (file === 'types.ts' || skipLibCheck) {
    run(process.execPath, tsc, dir);
    return;
  }
  let out = '';
  try {
    out = execFileSync(process.execPath, tsc, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? '';
  }
  const errors = out.split('\n').filter((l) => /: error TS\d+:/.test(l));
  const ours = errors.filter((l) => !TFJS_LIB_ERRORS.test(l.split('(')[0] ?? ''));
  if (ours.length > 0 || (errors.length === 0 && out.trim() !== '')) {
    fail(`tsc -p ${config} (skipLibCheck off) failed outside TF.js's declarations:\n${out}`);
  }
  console.log(
    `pack check: tsc -p ${config}: ${errors.length} errors, all in TF.js's own declarations`,
  );
}

function checkNode(dir: string): number[] {
  const out = JSON.parse(run(process.execPath, ['node.mjs'], dir)) as {
    api: string[];
    reference: string[];
    adamWgsl: string;
    commonWgsl: string;
    deepImport: string;
    tfjsRefused: string;
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
  // node.mjs refuses @tensorflow modules: the main entries loaded none, and the control (the
  // tfjs entry) shows that the refusal works.
  if (!out.tfjsRefused.startsWith('refused @tensorflow module @tensorflow/tfjs-core')) {
    fail(`the tfjs entry should have been refused TF.js in node.mjs: ${out.tfjsRefused}`);
  }
  const tfjs = JSON.parse(run(process.execPath, ['nodeTfjs.mjs'], dir)) as {
    tfjs: string[];
    isTfOptimizer: boolean;
    className: string;
    config: unknown;
  };
  checkEqual("exports of 'webgpu-optim/tfjs'", tfjs.tfjs, TFJS_API);
  checkEqual('createTfjsOptimizer(…) instanceof tf.Optimizer', tfjs.isTfOptimizer, true);
  checkEqual('its TF.js class name', tfjs.className, 'WebgpuOptim');
  checkEqual('the reference step count', out.step, 1);
  checkAdamStep('the reference Adam step in Node', out.values);
  return out.values;
}

interface PageResult {
  error: string | null;
  problems: string[];
}

/** Opens a bundled page and waits for its window.__result; collects console errors/warnings. */
async function openPage<T extends { error: string | null }>(
  chrome: LaunchedChrome,
  url: string,
): Promise<T & PageResult> {
  const page = await chrome.browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(url);
  await page.waitForFunction('window.__result !== undefined', { timeout: 180_000 });
  const result = (await page.evaluate('window.__result')) as T;
  await page.close();
  if (result.error !== null) fail(`the bundled page ${url} failed: ${result.error}`);
  if (problems.length > 0) fail(`the bundled page ${url} logged: ${problems.join('\n')}`);
  return { ...result, problems };
}

/** Vite builds both pages (index.html, tfjs.html) from the installed packages. */
async function bundle(dir: string): Promise<void> {
  await build({
    root: dir,
    configFile: false,
    logLevel: 'error',
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2022',
      rolldownOptions: { input: [join(dir, 'index.html'), join(dir, 'tfjs.html')] },
    },
  });
}

async function checkGpuStep(server: string, chrome: LaunchedChrome, reference: number[]) {
  const result = await openPage<{
    values?: number[];
    error: string | null;
    adamWgsl?: string;
    adapter?: string;
  }>(chrome, `${server}/index.html`);
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
}

interface FitRun {
  loss: number[];
  numTensors: number[];
}

function checkFit(what: string, fit: FitRun): void {
  if (fit.loss.length !== TFJS_EPOCHS || !fit.loss.every(Number.isFinite)) {
    fail(`${what}: expected ${TFJS_EPOCHS} finite losses, got ${JSON.stringify(fit.loss)}`);
  }
  const first = fit.loss[0] as number;
  const last = fit.loss[TFJS_EPOCHS - 1] as number;
  if (!(last < first)) fail(`${what} did not train: losses ${JSON.stringify(fit.loss)}`);
  // flat: every epoch ends with as many tensors as the first
  const n = fit.numTensors;
  if (n.length !== TFJS_EPOCHS || n.some((v) => v !== n[0])) {
    fail(`${what}: tf.memory().numTensors at each epoch's end is not flat: ${JSON.stringify(n)}`);
  }
}

async function checkTfjsFit(server: string, chrome: LaunchedChrome): Promise<void> {
  const r = await openPage<{
    error: string | null;
    backend: string;
    ours: FitRun;
    theirs: FitRun;
    numTensors: { before: number; afterOurs: number; end: number };
  }>(chrome, `${server}/tfjs.html`);
  checkEqual('the TF.js backend of the page', r.backend, 'webgpu');
  checkFit("model.fit with createTfjsOptimizer('adam')", r.ours);
  checkFit('model.fit with tf.train.adam', r.theirs);
  r.ours.loss.forEach((l, i) => {
    const t = r.theirs.loss[i] as number;
    const rel = Math.abs(l - t) / Math.abs(t);
    if (!(rel <= TFJS_LOSS_TOLERANCE)) {
      fail(
        `epoch ${i + 1}: loss ${l} with createTfjsOptimizer('adam'), ${t} with tf.train.adam ` +
          `(relative difference ${rel}, bound ${TFJS_LOSS_TOLERANCE})`,
      );
    }
  });
  // No tensor left behind by our run (model and optimizer disposed), nor by the page.
  checkEqual('tf.memory().numTensors after our run', r.numTensors.afterOurs, r.numTensors.before);
  checkEqual('tf.memory().numTensors at the end', r.numTensors.end, r.numTensors.before - 2);
  const maxRel = Math.max(
    ...r.ours.loss.map(
      (l, i) => Math.abs(l - (r.theirs.loss[i] as number)) / (r.theirs.loss[i] as number),
    ),
  );
  console.log(
    `pack check: model.fit losses, ours ${r.ours.loss.map((l) => l.toPrecision(6)).join(', ')}; ` +
      `max relative difference to tf.train.adam ${maxRel.toExponential(1)}; ` +
      `numTensors per epoch ${r.ours.numTensors.join(', ')}`,
  );
}

async function checkBrowser(dir: string, reference: number[]): Promise<void> {
  await phase('Vite: bundle both pages', () => bundle(dir));
  const server = await serveFolder(join(dir, 'dist'));
  const chrome = await launchChrome();
  try {
    await phase('Chrome: the bundle runs a GPU step', () =>
      checkGpuStep(server.url, chrome, reference),
    );
    await phase("Chrome: model.fit with createTfjsOptimizer('adam') against tf.train.adam", () =>
      checkTfjsFit(server.url, chrome),
    );
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
    await phase('Node without TF.js: the tfjs entry names what is missing', () =>
      checkNodeWithoutTfjs(dir),
    );
    await phase("link this repository's TF.js packages", () => addTfjs(dir));
    await phase('tsc types.ts, moduleResolution Bundler', () =>
      typecheck(dir, 'Bundler', 'types.ts', false),
    );
    await phase('tsc types.ts, moduleResolution NodeNext', () =>
      typecheck(dir, 'NodeNext', 'types.ts', false),
    );
    // With TF.js: skipLibCheck off, allowing TF.js's own errors only; then as TF.js users
    // compile (skipLibCheck on, tsc --init's default), where nothing may fail.
    await phase('tsc tfjs.ts, moduleResolution Bundler, skipLibCheck off', () =>
      typecheck(dir, 'Bundler', 'tfjs.ts', false),
    );
    await phase('tsc tfjs.ts, moduleResolution NodeNext, skipLibCheck on', () =>
      typecheck(dir, 'NodeNext', 'tfjs.ts', true),
    );
    const reference = await phase('Node: imports and a reference step', () => checkNode(dir));
    await checkBrowser(dir, reference);
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
