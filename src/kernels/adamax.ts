import common from '../../shaders/common.wgsl?raw';
import adamax from '../../shaders/adamax.wgsl?raw';
import type { AdamaxOptions, Resolved } from '../options/types.ts';
import type { KernelSpec } from './spec.ts';
import { kernelCode } from './stateCode.ts';
import { uniformLayout } from './uniforms.ts';

/** shaders/adamax.wgsl: uniform `AdamaxUniforms`, override MAXIMIZE. */
export const ADAMAX_KERNEL: KernelSpec<Resolved<AdamaxOptions>> = {
  name: 'adamax',
  source: `${common}\n${adamax}`,
  code: kernelCode('f32', `${common}\n${adamax}`),
  stateDtype: 'f32',
  // Flat runs: a zero gradient with zero state leaves a zero param (exp_avg = 0, so the step is
  // clr·0/exp_inf = 0 and weight decay adds wd·0); exp_inf's padding becomes
  // max(beta2·0, |0| + eps) = eps, finite because eps > 0 is validated. Nothing reads state
  // padding (state dicts and checkpoints copy each tensor's own elements), so it may hold eps.
  flatRuns: true,
  layout: uniformLayout([
    { name: 'weight_decay', type: 'f32' },
    { name: 'one_minus_beta1', type: 'f32' },
    { name: 'beta2', type: 'f32' },
    { name: 'eps', type: 'f32' },
    { name: 'clr', type: 'f32' },
  ]),
  constants: (o) => ({ MAXIMIZE: Number(o.maximize), NUM_STATES: 2 }),
};
