/**
 * WebGPU flag values (from the spec), so the package does not depend on the GPUBufferUsage and
 * GPUShaderStage globals, which some hosts (Node bindings, workers, test doubles) lack.
 */
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

export const ShaderStage = { COMPUTE: 0x4 } as const;
