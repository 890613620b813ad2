import type { Algorithm } from '../options/types.ts';
import type { UniformLayout } from './uniforms.ts';

/**
 * What one algorithm's kernel module declares, in one place (TF.js-program style): its WGSL,
 * its uniform layout, and how resolved options map to `override` constants.
 */
export interface KernelSpec<O> {
  /** Algorithm name, used in labels and cache keys. */
  name: Algorithm;
  /** Complete WGSL: common.wgsl followed by the algorithm's file. */
  code: string;
  layout: UniformLayout;
  /** The `override` constants (code-path switches) for a param group's options. */
  constants(options: O): Record<string, number>;
}
