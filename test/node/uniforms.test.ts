import { describe, expect, it } from 'vitest';
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
  ['adamax', ADAMAX_KERNEL as KernelSpec<never>, 'AdamaxUniforms'],
  ['adadelta', ADADELTA_KERNEL as KernelSpec<never>, 'AdadeltaUniforms'],
  ['lion', LION_KERNEL as KernelSpec<never>, 'LionUniforms'],
  ['nadam', NADAM_KERNEL as KernelSpec<never>, 'NAdamUniforms'],
  ['radam', RADAM_KERNEL as KernelSpec<never>, 'RAdamUniforms'],
  ['schedulefreeadamw', SCHEDULE_FREE_KERNEL as KernelSpec<never>, 'SfUniforms'],
];

describe('uniform byte layout', () => {
  it('Geometry is twelve u32 at bytes 0..48, in the order common.wgsl declares', () => {
    const fields = wgslStruct(SGD_KERNEL.code, 'Geometry');
    expect(fields.map((f) => f.name)).toEqual([...GEOMETRY_FIELDS]);
    expect(fields.every((f) => f.type === 'u32')).toBe(true);
    const view = new DataView(new ArrayBuffer(64));
    packGeometry(view, 16, {
      n: 1,
      head: 2,
      body4: 3,
      param_off: 4,
      grad_off: 5,
      state_off: 6,
      state_stride: 7,
      param_split: 8,
      grad_split: 9,
      reserved0: 10,
      reserved1: 11,
      reserved2: 12,
    });
    // field k lands at byte 16 + 4k, little-endian
    for (let k = 0; k < 12; k++) expect(view.getUint32(16 + 4 * k, true)).toBe(k + 1);
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

  it('pins every scalar offset (geo takes bytes 0..48)', () => {
    expect(SGD_KERNEL.layout.offsets).toEqual({
      lr: 48,
      weight_decay: 52,
      momentum: 56,
      one_minus_dampening: 60,
      first_step: 64,
    });
    // 48 + 5 × 4 = 68 bytes, rounded up to 80
    expect(SGD_KERNEL.layout.size).toBe(80);
    expect(ADAGRAD_KERNEL.layout.offsets).toEqual({ clr: 48, weight_decay: 52, eps: 56 });
    expect(ADAGRAD_KERNEL.layout.size).toBe(64);
    expect(RMSPROP_KERNEL.layout.offsets).toEqual({
      lr: 48,
      alpha: 52,
      one_minus_alpha: 56,
      eps: 60,
      weight_decay: 64,
      momentum: 68,
    });
    expect(RMSPROP_KERNEL.layout.size).toBe(80);
    expect(ADAM_KERNEL.layout.offsets).toEqual({
      weight_decay: 48,
      decay_factor: 52,
      one_minus_beta1: 56,
      beta2: 60,
      one_minus_beta2: 64,
      step_size: 68,
      bias_correction2: 72,
      bias_correction2_sqrt: 76,
      eps: 80,
    });
    // 48 + 9 × 4 = 84 bytes, rounded up to 96
    expect(ADAM_KERNEL.layout.size).toBe(96);
    expect(ADAMAX_KERNEL.layout.offsets).toEqual({
      weight_decay: 48,
      one_minus_beta1: 52,
      beta2: 56,
      eps: 60,
      clr: 64,
    });
    // 48 + 5 × 4 = 68 bytes, rounded up to 80
    expect(ADAMAX_KERNEL.layout.size).toBe(80);
    expect(ADADELTA_KERNEL.layout.offsets).toEqual({
      lr: 48,
      rho: 52,
      one_minus_rho: 56,
      eps: 60,
      weight_decay: 64,
    });
    expect(ADADELTA_KERNEL.layout.size).toBe(80);
    expect(LION_KERNEL.layout.offsets).toEqual({
      lr: 48,
      decay_factor: 52,
      beta1: 56,
      one_minus_beta1: 60,
      beta2: 64,
      one_minus_beta2: 68,
    });
    expect(LION_KERNEL.layout.size).toBe(80);
    expect(NADAM_KERNEL.layout.offsets).toEqual({
      weight_decay: 48,
      decay_factor: 52,
      one_minus_beta1: 56,
      beta2: 60,
      one_minus_beta2: 64,
      bias_correction2: 68,
      eps: 72,
      grad_coef: 76,
      avg_coef: 80,
    });
    expect(NADAM_KERNEL.layout.size).toBe(96);
    expect(RADAM_KERNEL.layout.offsets).toEqual({
      weight_decay: 48,
      decay_factor: 52,
      one_minus_beta1: 56,
      beta2: 60,
      one_minus_beta2: 64,
      bias_correction1: 68,
      lr: 72,
      bias_correction2_sqrt: 76,
      rect: 80,
      eps: 84,
      rectified: 88,
    });
    // 48 + 11 × 4 = 92 bytes, rounded up to 96: below the scaler's inputs at byte 192
    expect(RADAM_KERNEL.layout.size).toBe(96);
    expect(SCHEDULE_FREE_KERNEL.layout.offsets).toEqual({
      weight_decay: 48,
      beta2: 52,
      one_minus_beta2: 56,
      bias_correction2: 60,
      eps: 64,
      lr: 68,
      ckp1: 72,
      y_coef: 76,
      first_step: 80,
      eval_weight: 84,
      train_weight: 88,
    });
    // 48 + 11 × 4 = 92 bytes, rounded up to 96
    expect(SCHEDULE_FREE_KERNEL.layout.size).toBe(96);
  });

  it('packs f32 fields rounded once and u32 fields as integers', () => {
    const view = new DataView(new ArrayBuffer(80));
    packScalars(view, 0, SGD_KERNEL.layout, {
      lr: 0.1,
      weight_decay: 0,
      momentum: 0.9,
      one_minus_dampening: 1 - 0.3,
      first_step: 1,
    });
    expect(view.getFloat32(48, true)).toBe(Math.fround(0.1));
    expect(view.getFloat32(56, true)).toBe(Math.fround(0.9));
    expect(view.getFloat32(60, true)).toBe(Math.fround(0.7));
    expect(view.getUint32(64, true)).toBe(1);
  });

  it('rejects a scalars record that lacks a field', () => {
    const view = new DataView(new ArrayBuffer(64));
    expect(() => packScalars(view, 0, ADAGRAD_KERNEL.layout, { clr: 1, eps: 1 })).toThrow(
      /weight_decay/,
    );
  });
});
