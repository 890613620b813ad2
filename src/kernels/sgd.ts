import common from '../../shaders/common.wgsl?raw';
import sgd from '../../shaders/sgd.wgsl?raw';
import type { Resolved, SGDOptions } from '../options/types.ts';
import type { KernelSpec } from './spec.ts';
import { kernelCode } from './stateCode.ts';
import { uniformLayout } from './uniforms.ts';

/** shaders/sgd.wgsl: uniform `SgdUniforms`, overrides MAXIMIZE, MOMENTUM, NESTEROV. */
export const SGD_KERNEL: KernelSpec<Resolved<SGDOptions>> = {
  name: 'sgd',
  source: `${common}\n${sgd}`,
  code: kernelCode('f32', `${common}\n${sgd}`),
  stateDtype: 'f32',
  // Zero grad and zero momentum_buffer leave p - lr·0 = p and a zero buffer (see spec.ts).
  flatRuns: true,
  layout: uniformLayout([
    { name: 'lr', type: 'f32' },
    { name: 'weight_decay', type: 'f32' },
    { name: 'momentum', type: 'f32' },
    { name: 'one_minus_dampening', type: 'f32' },
    { name: 'first_step', type: 'u32' },
  ]),
  constants: (o) => ({
    MAXIMIZE: Number(o.maximize),
    MOMENTUM: Number(o.momentum > 0),
    NESTEROV: Number(o.nesterov),
    NUM_STATES: o.momentum > 0 ? 1 : 0,
  }),
};
