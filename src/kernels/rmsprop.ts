import common from '../../shaders/common.wgsl?raw';
import rmsprop from '../../shaders/rmsprop.wgsl?raw';
import type { RMSpropOptions, Resolved } from '../options/types.ts';
import type { KernelSpec } from './spec.ts';
import { kernelCode } from './stateCode.ts';
import { uniformLayout } from './uniforms.ts';

/**
 * shaders/rmsprop.wgsl: uniform `RmspropUniforms`, overrides MAXIMIZE, CENTERED, MOMENTUM,
 * EPS_INSIDE_SQRT.
 */
export const RMSPROP_KERNEL: KernelSpec<Resolved<RMSpropOptions>> = {
  name: 'rmsprop',
  source: `${common}\n${rmsprop}`,
  code: kernelCode('f32', `${common}\n${rmsprop}`),
  stateDtype: 'f32',
  // square_avg, grad_avg and the momentum buffer stay 0 and the step is lr·0 / eps = 0 (eps > 0).
  flatRuns: true,
  layout: uniformLayout([
    { name: 'lr', type: 'f32' },
    { name: 'alpha', type: 'f32' },
    { name: 'one_minus_alpha', type: 'f32' },
    { name: 'eps', type: 'f32' },
    { name: 'weight_decay', type: 'f32' },
    { name: 'momentum', type: 'f32' },
  ]),
  constants: (o) => ({
    MAXIMIZE: Number(o.maximize),
    CENTERED: Number(o.centered),
    MOMENTUM: Number(o.momentum > 0),
    EPS_INSIDE_SQRT: Number(o.epsInsideSqrt),
    NUM_STATES: 1 + Number(o.momentum > 0) + Number(o.centered),
  }),
};
