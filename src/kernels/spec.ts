import type { StateDtype } from '../options/stateDict.ts';
import type { Algorithm } from '../options/types.ts';
import type { UniformLayout } from './uniforms.ts';

/**
 * What one algorithm's kernel module declares, in one place (TF.js-program style): its WGSL,
 * its uniform layout, and how resolved options map to `override` constants.
 */
export interface KernelSpec<O> {
  /** Algorithm name, used in labels and cache keys. */
  name: Algorithm;
  /** Complete WGSL: the state snippet (state_<dtype>.wgsl), common.wgsl, the algorithm's file. */
  code: string;
  /** common.wgsl followed by the algorithm's file (the code without the state snippet). */
  source: string;
  /** How the kernel stores optimizer state (see stateCode.ts). */
  stateDtype: StateDtype;
  layout: UniformLayout;
  /**
   * Whether consecutive tensors of a ParamArena group may be updated as one flat range, the
   * padding between them included (src/optim/runs.ts). Set it only when a zero gradient with
   * zero state leaves a zero param and finite state for every option value (the params'
   * padding then stays zero; nothing reads the state's padding); absent means false.
   */
  flatRuns?: boolean;
  /**
   * The update reads a per-tensor value computed by shaders/tensor_sums.wgsl (appended to
   * `code`): each step records the tensor_sums and tensor_finalize passes before the update,
   * and the update's bind group adds the ratios and starts uniforms (bindings 12 and 13). See
   * tensorSums.ts. With flatRuns too, the update runs a flat run as one row and must find each
   * element's tensor itself (lamb.wgsl's ratio_index); the sums pass keeps one row per tensor.
   */
  tensorSums?: boolean;
  /** The `override` constants (code-path switches) for a param group's options. */
  constants(options: O): Record<string, number>;
}
