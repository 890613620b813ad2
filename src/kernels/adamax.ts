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
  // No flatRuns: exp_inf = max(beta2·0, |0| + eps) = eps, so zero padding state would not stay
  // zero (spec.ts).
  layout: uniformLayout([
    { name: 'weight_decay', type: 'f32' },
    { name: 'one_minus_beta1', type: 'f32' },
    { name: 'beta2', type: 'f32' },
    { name: 'eps', type: 'f32' },
    { name: 'clr', type: 'f32' },
  ]),
  constants: (o) => ({ MAXIMIZE: Number(o.maximize), NUM_STATES: 2 }),
};
