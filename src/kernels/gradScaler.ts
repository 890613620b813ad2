import source from '../../shaders/gradscaler.wgsl?raw';
import type { Algorithm } from '../options/types.ts';
import type { UniformLayout } from './uniforms.ts';
import { auxKernel } from './auxKernel.ts';

/** Threads per workgroup of both entry points. */
export const SCALER_WG = 64;
/**
 * Byte offset, inside each tensor's uniform slot, of the inputs the host writes for
 * `prepare`: lr (f32), the param group's row in the powers table (u32), lr_decay (f32;
 * ScheduleFreeAdamW: warmup_steps as a u32), and one more f32 (NAdam, ScheduleFreeAdamW:
 * beta1; RAdam: rho_inf). `prepare` leaves NAdam's new mu_product at word 4 for
 * `update_scale` (ScheduleFreeAdamW: weight_sum's hi and lo and lr_max at words 4, 5, 6; r
 * and weight_lr_power are inputs at words 7 and 8). Past every algorithm's uniform struct,
 * inside the 256-byte slot.
 */
export const PREP_BYTES = 192;
/** Bytes of `prepare`'s words in a slot (9 words, rounded up). */
export const PREP_WORDS_BYTES = 48;

/** The uniform fields `prepare` computes, per algorithm (none for RMSprop). */
export const STEP_FIELDS: Record<Algorithm, readonly string[]> = {
  sgd: ['first_step'],
  adagrad: ['clr'],
  rmsprop: [],
  adam: ['step_size', 'bias_correction2', 'bias_correction2_sqrt'],
  adamw: ['step_size', 'bias_correction2', 'bias_correction2_sqrt'],
  adamax: ['clr'],
  adadelta: [],
  lion: [],
  nadam: ['bias_correction2', 'grad_coef', 'avg_coef'],
  radam: ['bias_correction1', 'bias_correction2_sqrt', 'rect', 'rectified'],
  // Adam's code with lr = 1 (the optimizer writes 1 as prepare's lr input): 1 / (1 - beta1^t).
  lamb: ['inv_bias_correction1', 'bias_correction2', 'bias_correction2_sqrt'],
  // From the weight_sum and lr_max the GPU carries (see src/options/scalerScheduleFree.ts).
  schedulefreeadamw: ['lr', 'ckp1', 'y_coef', 'first_step', 'bias_correction2'],
};

const ALGO: Record<Algorithm, number> = {
  sgd: 0,
  adagrad: 1,
  rmsprop: -1,
  adam: 2,
  adamw: 2,
  adamax: 3,
  adadelta: -1,
  lion: -1,
  nadam: 5,
  radam: 6,
  lamb: 2,
  schedulefreeadamw: 7,
};

/**
 * Scalars carried per tensor on the GPU (the `carried` binding): NAdam's mu_product, or
 * ScheduleFreeAdamW's weight_sum (a pair hi, lo) and lr_max (three per tensor, in that order).
 */
export function carriedWidth(algorithm: Algorithm): number {
  return algorithm === 'schedulefreeadamw' ? 3 : 1;
}

export interface ScalerPipelines {
  layout: GPUBindGroupLayout;
  /** null for algorithms without step-dependent scalars. */
  prepare: GPUComputePipeline | null;
  updateScale: GPUComputePipeline;
}

const cache = new WeakMap<GPUDevice, Map<string, ScalerPipelines>>();

/** The constants `prepare` needs for `algorithm` with uniform `layout` in slots of `slot` bytes. */
export function scalerConstants(
  algorithm: Algorithm,
  layout: UniformLayout,
  slot: number,
): Record<string, number> {
  if (layout.size > PREP_BYTES || slot < PREP_BYTES + PREP_WORDS_BYTES) {
    throw new Error(`uniform layout of ${layout.size} bytes leaves no room for scaler inputs`);
  }
  const out = STEP_FIELDS[algorithm].map((f) => {
    const at = layout.offsets[f];
    if (at === undefined) throw new Error(`uniform field ${f} is missing`);
    return at / 4;
  });
  return {
    WG_SIZE: SCALER_WG,
    ALGO: Math.max(ALGO[algorithm], 0),
    SLOT_WORDS: slot / 4,
    PREP: PREP_BYTES / 4,
    OUT0: out[0] ?? 0,
    OUT1: out[1] ?? 0,
    OUT2: out[2] ?? 0,
    OUT3: out[3] ?? 0,
    OUT4: out[4] ?? 0,
  };
}

/** The pipelines of shaders/gradscaler.wgsl for these constants, cached per device. */
export function scalerPipelines(
  device: GPUDevice,
  algorithm: Algorithm,
  constants: Record<string, number>,
): ScalerPipelines {
  let perDevice = cache.get(device);
  if (!perDevice) {
    perDevice = new Map();
    cache.set(device, perDevice);
  }
  const key = `${algorithm}:${JSON.stringify(constants)}`;
  let p = perDevice.get(key);
  if (!p) {
    // control, steps, the uniform buffer's words, beta powers, the carried scalar
    const k = auxKernel(
      device,
      `${algorithm}/gradscaler`,
      source,
      ['storage', 'storage', 'storage', 'read-only-storage', 'storage'],
      constants,
    );
    p = {
      layout: k.layout,
      prepare: STEP_FIELDS[algorithm].length > 0 ? k.pipeline('prepare') : null,
      updateScale: k.pipeline('update_scale'),
    };
    perDevice.set(key, p);
  }
  return p;
}
