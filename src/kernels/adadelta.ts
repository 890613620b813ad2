import common from '../../shaders/common.wgsl?raw';
import adadelta from '../../shaders/adadelta.wgsl?raw';
import type { AdadeltaOptions, Resolved } from '../options/types.ts';
import type { KernelSpec } from './spec.ts';
import { kernelCode } from './stateCode.ts';
import { uniformLayout } from './uniforms.ts';

/** shaders/adadelta.wgsl: uniform `AdadeltaUniforms`, override MAXIMIZE. */
export const ADADELTA_KERNEL: KernelSpec<Resolved<AdadeltaOptions>> = {
  name: 'adadelta',
  source: `${common}\n${adadelta}`,
  code: kernelCode('f32', `${common}\n${adadelta}`),
  stateDtype: 'f32',
  // square_avg and acc_delta stay 0 and delta = sqrt(eps) / sqrt(eps) · 0 = 0 (eps > 0).
  flatRuns: true,
  layout: uniformLayout([
    { name: 'lr', type: 'f32' },
    { name: 'rho', type: 'f32' },
    { name: 'one_minus_rho', type: 'f32' },
    { name: 'eps', type: 'f32' },
    { name: 'weight_decay', type: 'f32' },
  ]),
  constants: (o) => ({ MAXIMIZE: Number(o.maximize), NUM_STATES: 2 }),
};
