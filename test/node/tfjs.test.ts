/**
 * webgpu-optim/tfjs without a GPU: creation-time validation, config round trip, the docs page's
 * example, and the package wiring (entry, optional peers). Stepping is tested in the browser.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTfjsOptimizer, TfjsOptimizer } from '../../src/adapters/tfjs/index.ts';
import { attachQ8 } from '../../src/adapters/tfjs/weights.ts';
import type { TensorState } from '../../src/index.ts';
import { quantize } from '../../src/options/q8.ts';
import { rng } from '../browser/suites/device.ts';

describe('createTfjsOptimizer', () => {
  it('returns a tf.Optimizer for every algorithm this package has', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const { DEFAULTS } = await import('../../src/index.ts');
    for (const algorithm of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
      const opt = createTfjsOptimizer(algorithm);
      expect(opt).toBeInstanceOf(tf.Optimizer);
      expect(opt).toBeInstanceOf(TfjsOptimizer);
      expect(opt.algorithm).toBe(algorithm);
      expect(opt.gpuOptimizer).toBeNull();
      opt.dispose();
    }
  });

  it('validates options when created, with PyTorch-style messages', () => {
    expect(() => createTfjsOptimizer('adafactor' as 'adam')).toThrow(
      /unknown algorithm "adafactor"; known: sgd, adagrad, rmsprop, adam, adamw/,
    );
    expect(() => createTfjsOptimizer('adam', { lr: -1 })).toThrow(/Invalid learning rate: -1/);
    expect(() => createTfjsOptimizer('adam', { weight_decay: 1 } as never)).toThrow(
      /unknown option "weight_decay" for adam/,
    );
    expect(() => createTfjsOptimizer('sgd', {}, { clipGradNorm: 0 })).toThrow(
      /clipGradNorm must be a finite number > 0, got 0/,
    );
    expect(() => createTfjsOptimizer('sgd', {}, { stateDtype: 'f8' as 'f16' })).toThrow(
      /stateDtype must be one of/,
    );
    expect(() => createTfjsOptimizer('sgd', {}, { workgroupSize: 64 } as never)).toThrow(
      /unknown host option "workgroupSize"/,
    );
    expect(() => createTfjsOptimizer('sgd', {}, { gradTransfer: 'map' as 'copy' })).toThrow(
      /gradTransfer must be "copy" or "bind", got "map"/,
    );
  });

  it("takes stateDtype 'q8' and min8bitSize, and refuses them where the core would", () => {
    const opt = createTfjsOptimizer('adam', {}, { stateDtype: 'q8', min8bitSize: 0 });
    expect(opt.getConfig()).toEqual({
      algorithm: 'adam',
      options: {},
      hostOptions: { stateDtype: 'q8', min8bitSize: 0 },
    });
    opt.dispose();
    expect(() => createTfjsOptimizer('adam', {}, { stateDtype: 'q8', min8bitSize: -1 })).toThrow(
      new RangeError('createTfjsOptimizer: min8bitSize must be a non-negative integer, got -1'),
    );
    // at creation, not at the first applyGradients
    expect(() => createTfjsOptimizer('schedulefreeadamw', {}, { stateDtype: 'q8' })).toThrow(
      /^createTfjsOptimizer\(schedulefreeadamw\): stateDtype "q8" is not available: ScheduleFreeAdamW's z/,
    );
    // LAMB (its 8-bit sums pass) and Adadelta (its square_avg rounds up) take 'q8'
    createTfjsOptimizer('lamb', {}, { stateDtype: 'q8' }).dispose();
    createTfjsOptimizer('adadelta', {}, { stateDtype: 'q8' }).dispose();
  });

  it("attachQ8 quantises Adadelta's square_avg as the kernel does: rounded up", () => {
    const next = rng(9);
    const x = Float32Array.from({ length: 600 }, () => next() * 10 ** (-6 * next()));
    const state: TensorState[] = [{ step: 1, square_avg: x, acc_delta: x }];
    attachQ8(state, () => true, 'adadelta', ['square_avg', 'acc_delta']);
    expect(state[0]?.q8?.square_avg).toEqual(quantize(x, false, true));
    expect(state[0]?.q8?.acc_delta).toEqual(quantize(x, false));
    expect(state[0]?.q8?.square_avg).not.toEqual(state[0]?.q8?.acc_delta);
  });

  it('getConfig / fromConfig round-trip algorithm, options and host options', () => {
    const opt = createTfjsOptimizer(
      'adamw',
      { lr: 3e-4, betas: [0.8, 0.99], weightDecay: 0.1 },
      { clipGradNorm: 1, stateDtype: 'bf16', gradTransfer: 'bind' },
    );
    expect(opt.getClassName()).toBe('WebgpuOptim');
    const config = opt.getConfig();
    expect(config).toEqual({
      algorithm: 'adamw',
      options: { lr: 3e-4, betas: [0.8, 0.99], weightDecay: 0.1 },
      hostOptions: { clipGradNorm: 1, stateDtype: 'bf16', gradTransfer: 'bind' },
    });
    const again = TfjsOptimizer.fromConfig(TfjsOptimizer, config);
    expect(again).toBeInstanceOf(TfjsOptimizer);
    expect(again.getConfig()).toEqual(config);
  });

  it('needs a first step for stateDict and refuses use after dispose', async () => {
    const opt = createTfjsOptimizer('sgd');
    await expect(opt.stateDict()).rejects.toThrow(/needs a first applyGradients/);
    opt.dispose();
    opt.dispose(); // idempotent
    expect(() => opt.applyGradients({})).toThrow(/applyGradients\(\) called after dispose\(\)/);
  });
});

describe('docs/tfjs.md', () => {
  it('opens with examples/tfjsFit.ts verbatim (the browser suite runs that file)', () => {
    const doc = readFileSync('docs/tfjs.md', 'utf8');
    const first = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(first).toBe(readFileSync('examples/tfjsFit.ts', 'utf8'));
  });
});

describe('package wiring', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    exports: Record<string, { types: string; import: string }>;
    peerDependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional: boolean }>;
  };
  it('exports webgpu-optim/tfjs with types', () => {
    expect(pkg.exports['./tfjs']).toEqual({
      types: './dist/adapters/tfjs/index.d.ts',
      import: './dist/tfjs.js',
    });
  });
  it('declares TF.js as optional peer dependencies', () => {
    for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu']) {
      expect(pkg.peerDependencies[name]).toMatch(/^\^4\./);
      expect(pkg.peerDependenciesMeta[name]).toEqual({ optional: true });
    }
  });
  it('imports TF.js only under src/adapters', async () => {
    const { readdirSync, statSync } = await import('node:fs');
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = `${dir}/${n}`;
        return statSync(p).isDirectory() ? walk(p) : [p];
      });
    const offenders = walk('src').filter(
      (f) => !f.startsWith('src/adapters/') && /@tensorflow\//.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
