/**
 * A minimal stand-in for GPUDevice, enough for the host layer's synchronous paths (validation,
 * allocation, recording). It counts what the optimizer creates. GPU behaviour itself is tested
 * in the browser suite.
 */
import { Adam } from '../../src/index.ts';

export interface FakeCounts {
  buffers: number;
  bindGroups: number;
  pipelines: number;
  dispatches: number;
  submits: number;
  writes: number;
  copies: number;
}

export interface FakeDevice {
  device: GPUDevice;
  counts: FakeCounts;
  buffer(size: number, usage?: number, label?: string): GPUBuffer;
}

const STORAGE = 0x80;
const COPY_DST = 0x8;

export function fakeDevice(): FakeDevice {
  const counts: FakeCounts = {
    buffers: 0,
    bindGroups: 0,
    pipelines: 0,
    dispatches: 0,
    submits: 0,
    writes: 0,
    copies: 0,
  };
  const makeBuffer = (d: GPUBufferDescriptor): GPUBuffer =>
    ({
      size: d.size,
      usage: d.usage,
      label: d.label ?? '',
      destroy() {},
      getMappedRange: () => new ArrayBuffer(d.size),
      mapAsync: () => Promise.resolve(),
      unmap() {},
    }) as unknown as GPUBuffer;
  const pass = {
    setPipeline() {},
    setBindGroup() {},
    dispatchWorkgroups() {
      counts.dispatches++;
    },
    end() {},
  };
  const device = {
    limits: {
      minStorageBufferOffsetAlignment: 256,
      minUniformBufferOffsetAlignment: 256,
      maxStorageBufferBindingSize: 1 << 27,
      maxBufferSize: 1 << 28,
      maxComputeWorkgroupsPerDimension: 65535,
      maxComputeInvocationsPerWorkgroup: 256,
      maxComputeWorkgroupSizeX: 256,
    },
    createBuffer(d: GPUBufferDescriptor) {
      counts.buffers++;
      return makeBuffer(d);
    },
    createBindGroupLayout: () => ({}),
    createPipelineLayout: () => ({}),
    createShaderModule: () => ({}),
    createComputePipeline() {
      counts.pipelines++;
      return {};
    },
    createBindGroup() {
      counts.bindGroups++;
      return {};
    },
    createCommandEncoder: () => ({
      beginComputePass: () => pass,
      copyBufferToBuffer() {
        counts.copies++;
      },
      finish: () => ({}),
    }),
    queue: {
      writeBuffer() {
        counts.writes++;
      },
      submit() {
        counts.submits++;
      },
    },
    pushErrorScope() {},
    popErrorScope: () => Promise.resolve(null),
  } as unknown as GPUDevice;
  return {
    device,
    counts,
    buffer: (size, usage = STORAGE | COPY_DST, label = '') => makeBuffer({ size, usage, label }),
  };
}

/**
 * Adam on a fake device over two 4-element tensors in one buffer (bytes 0 and 16), with grads
 * at the same layout in another: the smallest setup with a one-dispatch group.
 */
export function twoTensorAdam(): {
  f: FakeDevice;
  opt: Adam;
  grads: { buffer: GPUBuffer; offset?: number; length: number }[];
} {
  const f = fakeDevice();
  const p = f.buffer(64);
  const g = f.buffer(64);
  const opt = new Adam(f.device, [
    { buffer: p, length: 4 },
    { buffer: p, offset: 16, length: 4 },
  ]);
  const grads = [
    { buffer: g, length: 4 },
    { buffer: g, offset: 16, length: 4 },
  ];
  return { f, opt, grads };
}
