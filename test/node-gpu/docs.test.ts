/**
 * docs/node.md opens with a runnable example: its first ```ts block runs here, in Node on Dawn,
 * importing the real `webgpu` package and 'webgpu-optim' as src/, and every
 * `console.log(x); // → text` must print that text.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import * as webgpu from 'webgpu';
import { expect, it } from 'vitest';
import * as webgpuOptim from '../../src/index.ts';
import { describeNodeGpu, requireAdapter } from './harness.ts';

const docs = readFileSync('docs/node.md', 'utf8');
const example = /```ts\n([\s\S]*?)```/.exec(docs)?.[1] ?? '';

type AsyncFn = (...args: unknown[]) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => AsyncFn;

describeNodeGpu('docs/node.md', () => {
  requireAdapter();

  it('runs its opening example and prints what the comments say', async () => {
    expect(example).toContain("from 'webgpu'");
    const modules: Record<string, unknown> = { webgpu, 'webgpu-optim': webgpuOptim };
    const js = ts.transpileModule(example, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const printed: string[] = [];
    const fakeRequire = (name: string) => {
      if (!(name in modules)) throw new Error(`the example imports ${name}`);
      return modules[name];
    };
    const fakeConsole = { log: (...args: unknown[]) => printed.push(args.join(' ')) };
    await new AsyncFunction('require', 'exports', 'console', js)(fakeRequire, {}, fakeConsole);
    const expected = [...example.matchAll(/^console\.log\(.*\/\/ → (.*)$/gm)].map((m) => m[1]);
    expect(expected).toHaveLength(1);
    expect(printed).toEqual(expected);
  });
});
