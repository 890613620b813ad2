/**
 * docs/shaders.md: its example (examples/shaderSource.ts, verbatim) assembles each kernel from
 * the files exported as `webgpu-optim/shaders/*.wgsl` and must give the code the optimizers
 * compile; its tables must name every override constant and every uniform field.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernelSource } from '../../examples/shaderSource.ts';
import { ADAGRAD_KERNEL } from '../../src/kernels/adagrad.ts';
import { ADAM_KERNEL, ADAMW_KERNEL } from '../../src/kernels/adam.ts';
import { ADAMAX_KERNEL } from '../../src/kernels/adamax.ts';
import { ADADELTA_KERNEL } from '../../src/kernels/adadelta.ts';
import { LION_KERNEL } from '../../src/kernels/lion.ts';
import { GEOMETRY_FIELDS } from '../../src/kernels/geometry.ts';
import { NADAM_KERNEL } from '../../src/kernels/nadam.ts';
import { RADAM_KERNEL } from '../../src/kernels/radam.ts';
import { RMSPROP_KERNEL } from '../../src/kernels/rmsprop.ts';
import { SGD_KERNEL } from '../../src/kernels/sgd.ts';
import { SCHEDULE_FREE_KERNEL } from '../../src/kernels/scheduleFree.ts';
import type { KernelSpec } from '../../src/kernels/spec.ts';
import { withStateDtype } from '../../src/kernels/stateCode.ts';
import type { StateDtype } from '../../src/options/stateDict.ts';

const doc = readFileSync('docs/shaders.md', 'utf8');
/** The doc with runs of white space (Prettier's table padding, line breaks) made one space. */
const flat = doc.replace(/\s+/g, ' ');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  exports: Record<string, unknown>;
  files: string[];
};

const KERNELS: [file: Parameters<typeof kernelSource>[0], spec: KernelSpec<never>][] = [
  ['sgd', SGD_KERNEL as KernelSpec<never>],
  ['adagrad', ADAGRAD_KERNEL as KernelSpec<never>],
  ['rmsprop', RMSPROP_KERNEL as KernelSpec<never>],
  ['adam', ADAM_KERNEL as KernelSpec<never>],
  ['adam', ADAMW_KERNEL as KernelSpec<never>],
  ['adamax', ADAMAX_KERNEL as KernelSpec<never>],
  ['adadelta', ADADELTA_KERNEL as KernelSpec<never>],
  ['lion', LION_KERNEL as KernelSpec<never>],
  ['nadam', NADAM_KERNEL as KernelSpec<never>],
  ['radam', RADAM_KERNEL as KernelSpec<never>],
  ['schedulefree', SCHEDULE_FREE_KERNEL as KernelSpec<never>],
];
const DTYPES: StateDtype[] = ['f32', 'f16', 'bf16', 'q8'];

describe('docs/shaders.md', () => {
  it('opens with examples/shaderSource.ts verbatim', () => {
    const block = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBe(readFileSync('examples/shaderSource.ts', 'utf8'));
  });

  it('relies on package.json exporting and shipping shaders/*.wgsl', () => {
    expect(pkg.exports['./shaders/*.wgsl']).toBe('./shaders/*.wgsl');
    expect(pkg.files).toContain('shaders');
  });

  for (const [file, spec] of KERNELS) {
    for (const dtype of DTYPES) {
      it(`assembles ${spec.name} with ${dtype} state as the optimizers compile it`, () => {
        const expected = withStateDtype(spec, dtype).code;
        expect(kernelSource(file, dtype)).toBe(expected);
      });
    }
  }

  it('names every override constant of common.wgsl and the algorithm files', () => {
    const names = ['common', ...new Set(KERNELS.map(([f]) => f))].flatMap((f) =>
      [...readFileSync(`shaders/${f}.wgsl`, 'utf8').matchAll(/^override (\w+)/gm)].map(
        (m) => m[1] as string,
      ),
    );
    expect(names.length).toBeGreaterThan(12);
    for (const name of names) expect(doc, name).toContain(`\`${name}\``);
  });

  it('lists each uniform struct with its fields in layout order', () => {
    for (const [file, spec] of KERNELS) {
      const struct = /^struct (\w+Uniforms)/m.exec(readFileSync(`shaders/${file}.wgsl`, 'utf8'));
      const fields = spec.layout.fields
        .map((f) => (f.type === 'u32' ? `\`${f.name}\` (u32)` : `\`${f.name}\``))
        .join(', ');
      expect(flat, spec.name).toContain(`| \`${struct?.[1]}\` | ${fields} |`);
    }
  });

  it("lists Geometry's fields in order", () => {
    expect(flat).toContain(GEOMETRY_FIELDS.map((f) => `\`${f}\``).join(', '));
  });
});
