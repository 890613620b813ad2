import { describe, expect, it } from 'vitest';
import { NO_SPLIT, grid, placeState, planBinding, planTensor } from '../../src/kernels/geometry.ts';

const limits = {
  minStorageBufferOffsetAlignment: 256,
  maxStorageBufferBindingSize: 1 << 27,
  maxComputeWorkgroupsPerDimension: 65535,
};
const big = 1 << 26;

describe('dispatch geometry', () => {
  it.each([
    // [length, workgroup size, body grid, tail grid, combined grid]: one thread per vec4 in
    // the body, one per scalar in the tail; small tensors with both take one combined dispatch
    [1, 256, null, [1, 1], null],
    [255, 256, null, null, [1, 1]], // 63 vec4 + 3 scalars = 66 threads, combined
    [256, 256, [1, 1], null, null], // 64 vec4, no scalars
    [257, 256, null, null, [1, 1]],
    [4 * 256 + 1, 256, null, null, [2, 1]], // 256 vec4 + 1 scalar = 257 threads
    [4 * 257, 256, [2, 1], null, null], // 257 vec4
    [4 * 2 ** 14 + 3, 256, [64, 1], [1, 1], null], // large: body and tail apart
  ])(
    'length %i with workgroup %i: body %j, tail %j, combined %j when aligned',
    (n, wg, body, tail, both) => {
      const plan = planTensor(
        { offset: 0, length: n, bufferSize: big },
        { offset: 0, length: n, bufferSize: big },
        false,
        placeState(n, 0, 1),
        limits,
        wg,
      );
      expect([plan.body, plan.tail, plan.both]).toEqual([body, tail, both]);
      expect(plan.geometry.body4).toBe(Math.floor(n / 4));
    },
  );

  it('splits the head at the first 16-byte boundary', () => {
    // offset 4 bytes = element 1: 3 head scalars, then vec4 from element 4
    const plan = planTensor(
      { offset: 4, length: 11, bufferSize: big },
      { offset: 260, length: 11, bufferSize: big },
      false,
      placeState(11, 4, 2),
      limits,
      64,
    );
    expect(plan.geometry).toMatchObject({ n: 11, head: 3, body4: 2, param_off: 1, grad_off: 1 });
    expect(plan.grad?.base).toBe(256);
  });

  it('falls back to scalars when grad alignment differs from param alignment', () => {
    const plan = planTensor(
      { offset: 0, length: 100, bufferSize: big },
      { offset: 4, length: 100, bufferSize: big },
      false,
      placeState(100, 0, 1),
      limits,
      64,
    );
    expect(plan.geometry.body4).toBe(0);
    expect(plan.body).toBeNull();
    expect(plan.tail).toEqual([2, 1]); // 100 scalar threads
  });

  it('uses a 2-D grid past maxComputeWorkgroupsPerDimension', () => {
    expect(grid(65535, 65535)).toEqual([65535, 1]);
    expect(grid(65536, 65535)).toEqual([65535, 2]);
    // 300_001 elements with 1-thread workgroups: 75_000 vec4 threads in the body dispatch
    const plan = planTensor(
      { offset: 0, length: 300_001, bufferSize: 4 * 300_001 },
      { offset: 0, length: 300_001, bufferSize: 4 * 300_001 },
      false,
      placeState(300_001, 0, 2),
      limits,
      1,
    );
    // the buffer ends 4 bytes past a 16-byte boundary, so the last 256-byte block
    // [1_199_872, 1_200_004) is bound as scalars: 33 elements in the tail dispatch
    expect(plan.body).toEqual([65535, 2]);
    expect(plan.tail).toEqual([33, 1]);
    expect(plan.geometry.body4).toBe(299_968 / 4);
  });

  it('binds a scalar range when the tensor ends in a partial slot at the end of its buffer', () => {
    // 1000 floats = 4000 bytes: the last 16-byte slot [3984, 4000) is whole, so no split
    expect(planBinding([{ offset: 0, length: 1000, bufferSize: 4000 }], 256).split).toBe(NO_SPLIT);
    // 1001 floats end at 4004 in a 4004-byte buffer: vec4 covers [0, 3840), scalars [3840, 4004)
    const b = planBinding([{ offset: 0, length: 1001, bufferSize: 4004 }], 256);
    expect(b.vec4).toEqual({ offset: 0, size: 3840 });
    expect(b.scalar).toEqual({ offset: 3840, size: 164 });
    expect(b.split).toBe(960);
    // a tiny tensor in a tiny buffer: no vec4 binding at all
    const t = planBinding([{ offset: 0, length: 3, bufferSize: 12 }], 256);
    expect(t.vec4).toBeNull();
    expect(t.scalar).toEqual({ offset: 0, size: 12 });
  });

  it('limits the vec4 body to what the vec4 binding reaches', () => {
    const plan = planTensor(
      { offset: 0, length: 1001, bufferSize: 4004 },
      { offset: 0, length: 1001, bufferSize: big },
      false,
      placeState(1001, 0, 1),
      limits,
      64,
    );
    // param vec4 binding reaches element 960 = 240 vec4
    expect(plan.geometry.body4).toBe(240);
    expect(plan.geometry.param_split).toBe(960);
    expect(plan.geometry.grad_split).toBe(NO_SPLIT);
  });

  it('shares one binding when param and grad are in the same buffer', () => {
    const plan = planTensor(
      { offset: 512, length: 64, bufferSize: 2048 },
      { offset: 1024, length: 64, bufferSize: 2048 },
      true,
      placeState(64, 512, 1),
      limits,
      64,
    );
    expect(plan.grad).toBeNull();
    expect(plan.param.vec4).toEqual({ offset: 512, size: 768 });
    expect(plan.geometry).toMatchObject({ param_off: 0, grad_off: 128, body4: 16 });
  });

  it('places state at the param residue with a stride that keeps it', () => {
    expect(placeState(5, 12, 3)).toEqual({ stateOff: 3, stride: 8, bytes: 96 });
    expect(placeState(4, 0, 2)).toEqual({ stateOff: 0, stride: 4, bytes: 32 });
  });
});
