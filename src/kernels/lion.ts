import common from '../../shaders/common.wgsl?raw';
import lion from '../../shaders/lion.wgsl?raw';
import type { LionOptions, Resolved } from '../options/types.ts';
import type { KernelSpec } from './spec.ts';
import { kernelCode } from './stateCode.ts';
import { uniformLayout } from './uniforms.ts';

/** shaders/lion.wgsl: uniform `LionUniforms`, override MAXIMIZE. */
export const LION_KERNEL: KernelSpec<Resolved<LionOptions>> = {
  name: 'lion',
  source: `${common}\n${lion}`,
  code: kernelCode('f32', `${common}\n${lion}`),
  stateDtype: 'f32',
  // sign(0) = 0: a zero grad and zero exp_avg leave p·decay - lr·0 = 0 and exp_avg 0 (spec.ts).
  flatRuns: true,
  layout: uniformLayout([
    { name: 'lr', type: 'f32' },
    { name: 'decay_factor', type: 'f32' },
    { name: 'beta1', type: 'f32' },
    { name: 'one_minus_beta1', type: 'f32' },
    { name: 'beta2', type: 'f32' },
    { name: 'one_minus_beta2', type: 'f32' },
  ]),
  constants: (o) => ({ MAXIMIZE: Number(o.maximize), NUM_STATES: 1 }),
};
