import common from '../../shaders/common.wgsl?raw';
import nadam from '../../shaders/nadam.wgsl?raw';
import type { NAdamOptions, Resolved } from '../options/types.ts';
import type { KernelSpec } from './spec.ts';
import { kernelCode } from './stateCode.ts';
import { uniformLayout } from './uniforms.ts';

/** shaders/nadam.wgsl: uniform `NAdamUniforms`, overrides MAXIMIZE, DECOUPLED. */
export const NADAM_KERNEL: KernelSpec<Resolved<NAdamOptions>> = {
  name: 'nadam',
  source: `${common}\n${nadam}`,
  code: kernelCode('f32', `${common}\n${nadam}`),
  stateDtype: 'f32',
  // exp_avg and exp_avg_sq stay 0 and both terms are coef·0 / eps = 0 (eps > 0 is validated).
  flatRuns: true,
  layout: uniformLayout([
    { name: 'weight_decay', type: 'f32' },
    { name: 'decay_factor', type: 'f32' },
    { name: 'one_minus_beta1', type: 'f32' },
    { name: 'beta2', type: 'f32' },
    { name: 'one_minus_beta2', type: 'f32' },
    { name: 'bias_correction2', type: 'f32' },
    { name: 'eps', type: 'f32' },
    { name: 'grad_coef', type: 'f32' },
    { name: 'avg_coef', type: 'f32' },
  ]),
  constants: (o) => ({
    MAXIMIZE: Number(o.maximize),
    DECOUPLED: Number(o.decoupledWeightDecay),
    NUM_STATES: 2,
  }),
};
