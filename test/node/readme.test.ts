import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('is short: under 300 lines (everything else lives in docs/)', () => {
    expect(readme.split('\n').length).toBeLessThan(300);
  });

  it('has its sections in order: what, install, commands, quick start, features, numbers, docs', () => {
    const headings = readme.split('\n').filter((l) => /^#{1,2} /.test(l));
    expect(headings).toEqual([
      '# webgpu-optim',
      '## Install',
      '## The two commands',
      '## Quick start',
      '## Algorithms and features',
      '## Benchmark',
      '## Documentation',
    ]);
    // what it is and who it is for, before the first section
    const intro = readme.slice(0, readme.indexOf('## Install'));
    expect(intro).toContain('It is for:');
  });

  it('shows examples/quickstart.ts verbatim (the browser suite runs that file)', () => {
    const section = readme.slice(readme.indexOf('## Quick start'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync('examples/quickstart.ts', 'utf8'));
  });

  it('names the install commands', () => {
    expect(readme).toContain('npm i git+');
    expect(readme).toContain('npm pack');
    expect(readme).toContain('npm i webgpu-optim');
  });

  it('names the test command and the main command that package.json defines', () => {
    const scripts = (
      JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(readme).toContain('npm test');
    expect(scripts.test).toBeDefined();
    expect(readme).toContain('npm ci && npm run bench');
    expect(scripts.bench).toBeDefined();
    expect(scripts['bench:serve']).toBeDefined();
    expect(scripts.example).toBeDefined();
    expect(readme).toContain('npm run docs');
    expect(scripts.docs).toBeDefined();
  });
});
