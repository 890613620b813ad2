import stateF32 from '../../shaders/state_f32.wgsl?raw';
import stateF16 from '../../shaders/state_f16.wgsl?raw';
import stateBf16 from '../../shaders/state_bf16.wgsl?raw';
import stateQ8 from '../../shaders/state_q8.wgsl?raw';
import tensorSumsQ8 from '../../shaders/tensor_sums_q8.wgsl?raw';
import type { StateDtype } from '../options/stateDict.ts';
import type { KernelSpec } from './spec.ts';

/** The WGSL that binds `state` and defines its accessors, per storage type. */
export const STATE_SNIPPETS: Record<StateDtype, string> = {
  f32: stateF32,
  f16: stateF16,
  bf16: stateBf16,
  q8: stateQ8,
};

/** The complete WGSL of a kernel: the state snippet, common.wgsl, then the algorithm. */
export function kernelCode(dtype: StateDtype, source: string): string {
  return `${STATE_SNIPPETS[dtype]}\n${source}`;
}

/**
 * `spec` with its state stored as `dtype` (its own shader module and pipelines). A 'q8' kernel
 * with tensor sums (LAMB) also gets shaders/tensor_sums_q8.wgsl: the sums pass over 8-bit state.
 */
export function withStateDtype<O>(spec: KernelSpec<O>, dtype: StateDtype): KernelSpec<O> {
  if (dtype === spec.stateDtype) return spec;
  const sumsQ8 = dtype === 'q8' && spec.tensorSums === true ? `\n${tensorSumsQ8}` : '';
  return { ...spec, stateDtype: dtype, code: kernelCode(dtype, spec.source) + sumsQ8 };
}
