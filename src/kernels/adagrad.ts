import common from '../../shaders/common.wgsl?raw';
import adagrad from '../../shaders/adagrad.wgsl?raw';
import type { AdagradOptions, Resolved } from '../options/types.ts';
import type { KernelSpec } from './spec.ts';
import { kernelCode } from './stateCode.ts';
import { uniformLayout } from './uniforms.ts';

/** shaders/adagrad.wgsl: uniform `AdagradUniforms`, overrides MAXIMIZE, EPS_INSIDE_SQRT. */
export const ADAGRAD_KERNEL: KernelSpec<Resolved<AdagradOptions>> = {
  name: 'adagrad',
  source: `${common}\n${adagrad}`,
  code: kernelCode('f32', `${common}\n${adagrad}`),
  stateDtype: 'f32',
  // sum stays 0 and the update is clr·0 / (0 + eps) = 0; eps > 0 is validated (see spec.ts).
  flatRuns: true,
  layout: uniformLayout([
    { name: 'clr', type: 'f32' },
    { name: 'weight_decay', type: 'f32' },
    { name: 'eps', type: 'f32' },
  ]),
  constants: (o) => ({
    MAXIMIZE: Number(o.maximize),
    EPS_INSIDE_SQRT: Number(o.epsInsideSqrt),
    NUM_STATES: 1,
  }),
};
