/**
 * Reads the docs pages' fenced blocks and runs the Node examples among them, for
 * test/node/docs.test.ts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import ts from 'typescript';

/** The pages this suite checks, in the README's order. Add a page here to have it checked. */
export const pages = [
  'docs/api.md',
  'docs/numerics.md',
  'docs/algorithms.md',
  'docs/schedules.md',
  'docs/mixed-precision.md',
  'docs/state16.md',
  'docs/checkpoints.md',
  'docs/benchmark.md',
  'docs/how-it-works.md',
  'docs/demo.md',
  'docs/mutation.md',
];

/** A fenced block: its info string (`ts`, `ts fragment`, `sh`, ...), its code and its line. */
export interface Block {
  info: string;
  code: string;
  line: number;
}

/** Every fenced block of a markdown text, indented ones (inside list items) included. */
export function blocks(markdown: string): Block[] {
  const found: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```(\S.*)?$/.exec(lines[i] as string);
    if (!open) continue;
    const indent = (open[1] as string).length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^ *```\s*$/.test(lines[j] as string)) {
      body.push((lines[j] as string).slice(indent));
      j++;
    }
    found.push({ info: (open[2] ?? '').trim(), code: body.join('\n') + '\n', line: i + 1 });
    i = j;
  }
  return found;
}

/** examples/*.ts by content, for blocks that show one verbatim. */
export function exampleFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync('examples')) {
    if (name.endsWith('.ts'))
      files.set(readFileSync(`examples/${name}`, 'utf8'), `examples/${name}`);
  }
  return files;
}

const show = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(show).join(', ')}]` : typeof v === 'string' ? v : String(v);

/**
 * Runs a Node example with 'webgpu-optim' and 'webgpu-optim/reference' mapped to src/, and
 * returns what it printed and what its `// → text` comments (at the end of a console.log
 * line, or on the line above) say it prints.
 */
export async function runExample(code: string): Promise<{ printed: string[]; expected: string[] }> {
  const modules: Record<string, unknown> = {
    'webgpu-optim': await import('../../../src/index.ts'),
    'webgpu-optim/reference': await import('../../../src/reference/index.ts'),
  };
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const printed: string[] = [];
  const fakeRequire = (name: string) => {
    const m = modules[name];
    if (m === undefined) throw new Error(`the example imports ${name}`);
    return m;
  };
  const fakeConsole = { log: (...args: unknown[]) => printed.push(args.map(show).join(' ')) };
  new Function('require', 'exports', 'console', js)(fakeRequire, {}, fakeConsole);
  const lines = code.split('\n');
  const arrow = /\/\/ → (.*)$/;
  const expected = lines.flatMap((line, i) => {
    if (!line.trimStart().startsWith('console.log(')) return [];
    return [(arrow.exec(line) ?? arrow.exec(lines[i - 1] ?? ''))?.[1] ?? '(no // → comment)'];
  });
  return { printed, expected };
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a markdown text's headings (outside code blocks). */
export function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (/^ *```/.test(line)) fence = !fence;
    const h = fence ? null : /^#{1,6} (.*)$/.exec(line);
    if (h) found.add(anchor(h[1] as string));
  }
  return found;
}
