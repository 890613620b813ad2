import { describe, expect, it } from 'vitest';
import { ADAGRAD_KERNEL } from '../../src/kernels/adagrad.ts';
import { ADAM_KERNEL, ADAMW_KERNEL } from '../../src/kernels/adam.ts';
import { GEOMETRY_FIELDS } from '../../src/kernels/geometry.ts';
import { RMSPROP_KERNEL } from '../../src/kernels/rmsprop.ts';
import { SGD_KERNEL } from '../../src/kernels/sgd.ts';
import { packGeometry, packScalars } from '../../src/kernels/uniforms.ts';
import type { KernelSpec } from '../../src/kernels/spec.ts';

/** Parses `struct NAME { a: f32, b: u32, ... }` out of WGSL source. */
function wgslStruct(code: string, name: string): { name: string; type: string }[] {
  const m = new RegExp(`struct ${name} \\{([^}]*)\\}`).exec(code);
  if (!m) throw new Error(`struct ${name} not found`);
  return (m[1] as string)
    .split('\n')
    .map((l) => l.replace(/\/\/.*$/, '').trim())
    .filter(Boolean)
    .map((l) => {
      const [field, type] = l
        .replace(/,$/, '')
        .split(':')
        .map((s) => s.trim());
      return { name: field as string, type: type as string };
    });
}

const specs: [string, KernelSpec<never>, string][] = [
  ['sgd', SGD_KERNEL as KernelSpec<never>, 'SgdUniforms'],
  ['adagrad', ADAGRAD_KERNEL as KernelSpec<never>, 'AdagradUniforms'],
  ['rmsprop', RMSPROP_KERNEL as KernelSpec<never>, 'RmspropUniforms'],
  ['adam', ADAM_KERNEL as KernelSpec<never>, 'AdamUniforms'],
  ['adamw', ADAMW_KERNEL as KernelSpec<never>, 'AdamUniforms'],
];

describe('uniform byte layout', () => {
  it('Geometry is ten u32 at bytes 0..40, in the order common.wgsl declares', () => {
    const fields = wgslStruct(SGD_KERNEL.code, 'Geometry');
    expect(fields.map((f) => f.name)).toEqual([...GEOMETRY_FIELDS]);
    expect(fields.every((f) => f.type === 'u32')).toBe(true);
    const view = new DataView(new ArrayBuffer(64));
    packGeometry(view, 16, {
      n: 1,
      head: 2,
      body4: 3,
      grid_x: 4,
      param_off: 5,
      grad_off: 6,
      state_off: 7,
      state_stride: 8,
      param_split: 9,
      grad_split: 10,
    });
    // field k lands at byte 16 + 4k, little-endian
    for (let k = 0; k < 10; k++) expect(view.getUint32(16 + 4 * k, true)).toBe(k + 1);
  });

  for (const [name, spec, struct] of specs) {
    it(`${name}: TS layout matches the WGSL struct ${struct}`, () => {
      const wgsl = wgslStruct(spec.code, struct);
      expect(wgsl[0]).toEqual({ name: 'geo', type: 'Geometry' });
      expect(wgsl.slice(1)).toEqual(
        spec.layout.fields.map((f) => ({ name: f.name, type: f.type })),
      );
    });
  }

  it('pins every scalar offset (geo takes bytes 0..40)', () => {
    expect(SGD_KERNEL.layout.offsets).toEqual({
      lr: 40,
      weight_decay: 44,
      momentum: 48,
      one_minus_dampening: 52,
      first_step: 56,
    });
    expect(SGD_KERNEL.layout.size).toBe(64);
    expect(ADAGRAD_KERNEL.layout.offsets).toEqual({ clr: 40, weight_decay: 44, eps: 48 });
    expect(ADAGRAD_KERNEL.layout.size).toBe(64);
    expect(RMSPROP_KERNEL.layout.offsets).toEqual({
      lr: 40,
      alpha: 44,
      one_minus_alpha: 48,
      eps: 52,
      weight_decay: 56,
      momentum: 60,
    });
    expect(RMSPROP_KERNEL.layout.size).toBe(64);
    expect(ADAM_KERNEL.layout.offsets).toEqual({
      weight_decay: 40,
      decay_factor: 44,
      one_minus_beta1: 48,
      beta2: 52,
      one_minus_beta2: 56,
      step_size: 60,
      bias_correction2: 64,
      bias_correction2_sqrt: 68,
      eps: 72,
    });
    // 40 + 9 × 4 = 76 bytes, rounded up to the struct's 16-byte multiple
    expect(ADAM_KERNEL.layout.size).toBe(80);
  });

  it('packs f32 fields rounded once and u32 fields as integers', () => {
    const view = new DataView(new ArrayBuffer(64));
    packScalars(view, 0, SGD_KERNEL.layout, {
      lr: 0.1,
      weight_decay: 0,
      momentum: 0.9,
      one_minus_dampening: 1 - 0.3,
      first_step: 1,
    });
    expect(view.getFloat32(40, true)).toBe(Math.fround(0.1));
    expect(view.getFloat32(48, true)).toBe(Math.fround(0.9));
    expect(view.getFloat32(52, true)).toBe(Math.fround(0.7));
    expect(view.getUint32(56, true)).toBe(1);
  });

  it('rejects a scalars record that lacks a field', () => {
    const view = new DataView(new ArrayBuffer(64));
    expect(() => packScalars(view, 0, ADAGRAD_KERNEL.layout, { clr: 1, eps: 1 })).toThrow(
      /weight_decay/,
    );
  });
});
