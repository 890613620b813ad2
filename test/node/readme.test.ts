import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('shows examples/quickstart.ts verbatim (the browser suite runs that file)', () => {
    const section = readme.slice(readme.indexOf('## Quick start'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync('examples/quickstart.ts', 'utf8'));
  });

  it('shows examples/mixedPrecision.ts verbatim (the browser suite runs that file)', () => {
    const section = readme.slice(readme.indexOf('### Mixed precision: `GradScaler`'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(readFileSync('examples/mixedPrecision.ts', 'utf8'));
  });

  it('holds docs/schedules.md verbatim (its examples run in schedules.test.ts)', () => {
    expect(readme).toContain(readFileSync('docs/schedules.md', 'utf8').trim());
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
  });

  it('documents every option of every optimizer', () => {
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
      expect(readme, option).toContain(`\`${option}`);
    }
  });
});
