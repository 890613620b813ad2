import common from '../../shaders/common.wgsl?raw';
import radam from '../../shaders/radam.wgsl?raw';
import type { RAdamOptions, Resolved } from '../options/types.ts';
import type { KernelSpec } from './spec.ts';
import { kernelCode } from './stateCode.ts';
import { uniformLayout } from './uniforms.ts';

/**
 * shaders/radam.wgsl: uniform `RAdamUniforms`, overrides MAXIMIZE, DECOUPLED. The
 * rectification branch is the uniform word `rectified`, not an override (see the shader).
 */
export const RADAM_KERNEL: KernelSpec<Resolved<RAdamOptions>> = {
  name: 'radam',
  source: `${common}\n${radam}`,
  code: kernelCode('f32', `${common}\n${radam}`),
  stateDtype: 'f32',
  // exp_avg and exp_avg_sq stay 0, so m = 0 and the step is 0 on both branches (eps > 0).
  flatRuns: true,
  layout: uniformLayout([
    { name: 'weight_decay', type: 'f32' },
    { name: 'decay_factor', type: 'f32' },
    { name: 'one_minus_beta1', type: 'f32' },
    { name: 'beta2', type: 'f32' },
    { name: 'one_minus_beta2', type: 'f32' },
    { name: 'bias_correction1', type: 'f32' },
    { name: 'lr', type: 'f32' },
    { name: 'bias_correction2_sqrt', type: 'f32' },
    { name: 'rect', type: 'f32' },
    { name: 'eps', type: 'f32' },
    { name: 'rectified', type: 'u32' },
  ]),
  constants: (o) => ({
    MAXIMIZE: Number(o.maximize),
    DECOUPLED: Number(o.decoupledWeightDecay),
    NUM_STATES: 2,
  }),
};
