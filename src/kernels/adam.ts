import common from '../../shaders/common.wgsl?raw';
import adam from '../../shaders/adam.wgsl?raw';
import type { AdamOptions, Resolved } from '../options/types.ts';
import type { KernelSpec } from './spec.ts';
import { kernelCode } from './stateCode.ts';
import { uniformLayout } from './uniforms.ts';

const layout = uniformLayout([
  { name: 'weight_decay', type: 'f32' },
  { name: 'decay_factor', type: 'f32' },
  { name: 'one_minus_beta1', type: 'f32' },
  { name: 'beta2', type: 'f32' },
  { name: 'one_minus_beta2', type: 'f32' },
  { name: 'step_size', type: 'f32' },
  { name: 'bias_correction2', type: 'f32' },
  { name: 'bias_correction2_sqrt', type: 'f32' },
  { name: 'eps', type: 'f32' },
]);

function adamConstants(o: Resolved<AdamOptions>, decoupled: boolean): Record<string, number> {
  return {
    MAXIMIZE: Number(o.maximize),
    AMSGRAD: Number(o.amsgrad),
    DECOUPLED: Number(decoupled),
    EPS_INSIDE_SQRT: Number(o.epsInsideSqrt),
    NUM_STATES: o.amsgrad ? 3 : 2,
  };
}

/**
 * shaders/adam.wgsl with L2 weight decay: uniform `AdamUniforms`, overrides MAXIMIZE,
 * AMSGRAD, DECOUPLED = false, EPS_INSIDE_SQRT.
 */
export const ADAM_KERNEL: KernelSpec<Resolved<AdamOptions>> = {
  name: 'adam',
  source: `${common}\n${adam}`,
  code: kernelCode('f32', `${common}\n${adam}`),
  stateDtype: 'f32',
  // exp_avg and exp_avg_sq stay 0 and the step is step_size·0 / eps = 0 (eps > 0 is validated).
  flatRuns: true,
  layout,
  constants: (o) => adamConstants(o, false),
};

/** The same shader with DECOUPLED = true (AdamW). */
export const ADAMW_KERNEL: KernelSpec<Resolved<AdamOptions>> = {
  ...ADAM_KERNEL,
  name: 'adamw',
  constants: (o) => adamConstants(o, true),
};
