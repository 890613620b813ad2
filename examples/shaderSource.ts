import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// AdamW is adam.wgsl, DECOUPLED = true; ScheduleFreeAdamW is schedulefree.wgsl
type Algorithm =
  | 'sgd'
  | 'adagrad'
  | 'rmsprop'
  | 'adam'
  | 'adamax'
  | 'adadelta'
  | 'lion'
  | 'nadam'
  | 'radam'
  | 'schedulefree';
type StateDtype = 'f32' | 'f16' | 'bf16' | 'q8'; // q8: entry point main_q8

const require = createRequire(import.meta.url);
const wgsl = (name: string): string =>
  readFileSync(require.resolve(`webgpu-optim/shaders/${name}.wgsl`), 'utf8');

/** The complete WGSL of one optimizer kernel, exactly as webgpu-optim compiles it. */
export function kernelSource(algorithm: Algorithm, stateDtype: StateDtype = 'f32'): string {
  return `${wgsl(`state_${stateDtype}`)}\n${wgsl('common')}\n${wgsl(algorithm)}`;
}

// const module = device.createShaderModule({ code: kernelSource('adam') });
// device.createComputePipeline({ layout, compute: { module, entryPoint: 'main',
//   constants: { WG_SIZE: 256, NUM_STATES: 2, AMSGRAD: 0, DECOUPLED: 1 } } }); // AdamW
