/**
 * The docs pages: each opens with a runnable example, and every example runs. A ```ts block is
 * one of:
 * - an examples/*.ts file, verbatim: a browser suite runs that file (test/browser/);
 * - a Node example, run here with 'webgpu-optim' and 'webgpu-optim/reference' mapped to src/:
 *   every `console.log(x); // → text` must print that text;
 * - a ```ts fragment: a declaration, or a piece of a larger GPU program, shown but not run.
 * Links between the README and the pages must resolve, headings included.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, blocks, exampleFiles, pages, runExample } from './docs/pages.ts';

const files = exampleFiles();

/**
 * Pages that other branches add (the TF.js adapter, Node, the shaders). The README links to
 * them already; until they exist a link to them is not checked. Once merged, drop this list.
 */
const browserSuites = readdirSync('test/browser/suites')
  .map((name) => readFileSync(`test/browser/suites/${name}`, 'utf8'))
  .join('\n');

describe.each(pages)('%s', (page) => {
  const text = readFileSync(page, 'utf8');
  const all = blocks(text);
  const ts = all.filter((b) => b.info === 'ts');
  const nodeExamples = ts.filter((b) => !files.has(b.code));

  it('opens with a runnable example: the first block, after at most a sentence or two', () => {
    const lines = text.split('\n');
    const sections = lines.findIndex((l) => l.startsWith('## '));
    const firstSection = sections === -1 ? lines.length : sections + 1;
    const first = all[0];
    expect(first?.info).toBe('ts');
    expect(first?.line).toBeLessThan(firstSection);
    expect(
      lines.slice(1, (first?.line ?? 0) - 1).filter((l) => l.trim() !== '').length,
    ).toBeLessThanOrEqual(3);
  });

  it('marks every block: ts (run), ts fragment (shown only), sh, or plain', () => {
    for (const b of all)
      expect(['ts', 'ts fragment', 'sh', ''], `line ${b.line}`).toContain(b.info);
  });

  it('shows only examples/*.ts files that a browser suite runs', () => {
    for (const b of ts.filter((x) => files.has(x.code))) {
      const file = (files.get(b.code) as string).replace(/\.ts$/, '');
      expect(browserSuites, `${file} (line ${b.line})`).toContain(`/${file}.ts'`);
    }
  });

  it.each(nodeExamples.map((b) => [b.line, b.code] as const))(
    'runs the Node example at line %i',
    async (_, code) => {
      const { printed, expected } = await runExample(code);
      expect(printed).toEqual(expected);
    },
  );
});

describe('the README and the docs together', () => {
  const readme = readFileSync('README.md', 'utf8');
  const docs = readdirSync('docs')
    .filter((n) => n.endsWith('.md'))
    .map((n) => `docs/${n}`);

  it('links the README to every docs page', () => {
    for (const page of docs) expect(readme, page).toContain(`(${page}`);
  });

  it.each(['README.md', ...docs])('%s: every relative link resolves, anchors included', (file) => {
    const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target as string)) continue;
      const [path, hash] = (target as string).split('#');
      const resolved = path ? normalize(join(dirname(file), path)) : file;
      expect(existsSync(resolved), `${file}: ${target}`).toBe(true);
      if (hash && resolved.endsWith('.md')) {
        expect(anchors(readFileSync(resolved, 'utf8')), `${file}: ${target}`).toContain(hash);
      }
    }
  });

  it('documents every option of every optimizer and of the GradScaler', () => {
    const text = ['docs/api.md', 'docs/mixed-precision.md', 'docs/state16.md']
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const option of [
      'lr',
      'momentum',
      'dampening',
      'nesterov',
      'weightDecay',
      'maximize',
      'lrDecay',
      'initialAccumulatorValue',
      'eps',
      'epsInsideSqrt',
      'alpha',
      'centered',
      'betas',
      'amsgrad',
      'workgroupSize',
      'onError',
      'clipGradNorm',
      'clipGradValue',
      'gradScaler',
      'initScale',
      'growthFactor',
      'backoffFactor',
      'growthInterval',
      'stateDtype',
    ]) {
      expect(text, option).toContain(`\`${option}`);
    }
  });
});
