/**
 * `npm run bugs [-- --only id,id] [-- --project node,browser] [-- --all]`: applies each bug
 * of scripts/bugs/catalogue.ts to a scratch copy of the repository (tracked and untracked,
 * not ignored files; node_modules linked), runs tests there and writes which failed to
 * scripts/bugs/results.json. By default it runs the Node suite's files that check the maths
 * against outside authorities (TESTS below: the PyTorch fixtures, the goldens, the schedules,
 * the identities, clipping), which is a lower bound on what the whole suite catches and a
 * third of the time; `--all` runs every file of the projects. The unmodified copy runs first
 * and must pass, so a failure is the bug's doing. The sources here are never touched.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { applyBug } from './apply.ts';
import { BUGS, type Bug } from './catalogue.ts';

interface Outcome {
  id: string;
  desc: string;
  failed: number;
  total: number;
  /** Up to five failing tests, "file > test name". */
  examples: string[];
  /** The bug's own test files, run besides `files` (Bug.tests). */
  extra?: string[];
}

interface VitestJson {
  numFailedTests: number;
  numTotalTests: number;
  testResults: { name: string; assertionResults: { fullName: string; status: string }[] }[];
}

const root = resolve(import.meta.dirname, '../..');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const only = arg('only')?.split(',');
const projects = (arg('project') ?? 'node').split(',');
const TESTS = [
  'test/node/torch.test.ts',
  'test/node/goldens.test.ts',
  'test/node/schedules.test.ts',
  'test/node/identities.test.ts',
  'test/node/clip.test.ts',
];
const files = process.argv.includes('--all') ? [] : TESTS;

function scratchCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'webgpu-optim-bugs-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f && existsSync(join(root, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(root, f), join(dir, f));
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function runTests(dir: string, id: string, desc: string, extra: string[] = []): Outcome {
  const out = join(dir, '.bug-results.json');
  rmSync(out, { force: true });
  const run = files.length > 0 ? [...files, ...extra] : [];
  const args = ['vitest', 'run', ...projects.flatMap((p) => ['--project', p]), ...run];
  spawnSync('npx', [...args, '--reporter=json', `--outputFile=${out}`], {
    cwd: dir,
    stdio: 'ignore',
    env: { ...process.env, CI: '' },
  });
  if (!existsSync(out)) return { id, desc, failed: -1, total: 0, examples: ['no test report'] };
  const r = JSON.parse(readFileSync(out, 'utf8')) as VitestJson;
  const examples = r.testResults.flatMap((f) =>
    f.assertionResults
      .filter((a) => a.status === 'failed')
      .map((a) => `${f.name.slice(dir.length + 1)} > ${a.fullName}`),
  );
  // a file that fails to load has no assertion results: count it as one failure
  const broken = r.testResults.filter((f) => f.assertionResults.length === 0).length;
  return {
    id,
    desc,
    failed: r.numFailedTests + broken,
    total: r.numTotalTests,
    examples: examples.slice(0, 5),
    ...(extra.length > 0 && files.length > 0 ? { extra } : {}),
  };
}

const dir = scratchCopy();
try {
  const bugs: Bug[] = BUGS.filter((b) => !only || only.includes(b.id));
  // the baseline runs every file some selected bug runs, so each of them passes unmodified
  const baseline = runTests(dir, 'baseline', 'no bug', [
    ...new Set(bugs.flatMap((b) => b.tests ?? [])),
  ]);
  if (baseline.failed !== 0)
    throw new Error(`the unmodified copy fails: ${JSON.stringify(baseline)}`);
  const outcomes: Outcome[] = [];
  for (const bug of bugs) {
    const originals = new Map<string, string>();
    for (const e of bug.edits) {
      const path = join(dir, e.file);
      if (!originals.has(path)) originals.set(path, readFileSync(path, 'utf8'));
    }
    for (const [path, text] of originals) {
      const file = path.slice(dir.length + 1);
      writeFileSync(path, applyBug(bug, file, text));
    }
    const o = runTests(dir, bug.id, bug.desc, bug.tests);
    for (const [path, text] of originals) writeFileSync(path, text);
    console.log(`${o.failed > 0 ? 'caught' : 'MISSED'} ${bug.id}: ${o.failed}/${o.total} failed`);
    outcomes.push(o);
  }
  const record = join(root, 'scripts/bugs/results.json');
  const previous = existsSync(record)
    ? (JSON.parse(readFileSync(record, 'utf8')) as { bugs: Outcome[] }).bugs
    : [];
  const merged = BUGS.map(
    (b) => outcomes.find((o) => o.id === b.id) ?? previous.find((o) => o.id === b.id),
  ).filter((o): o is Outcome => o !== undefined);
  writeFileSync(
    record,
    `${JSON.stringify({ projects, files, baselineTests: baseline.total, bugs: merged }, null, 2)}\n`,
  );
  const missed = outcomes.filter((o) => o.failed <= 0).map((o) => o.id);
  if (missed.length > 0) {
    console.error(`not caught: ${missed.join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
