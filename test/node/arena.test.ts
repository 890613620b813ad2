import { describe, expect, it } from 'vitest';
import { Adam, ParamArena } from '../../src/index.ts';
import { fakeDevice } from './fakeDevice.ts';

describe('ParamArena', () => {
  it('places tensors back to back at 16-byte-aligned offsets, grads at the same layout', () => {
    const f = fakeDevice();
    const arena = new ParamArena(f.device, [3, { name: 'w', length: 8 }, 1]);
    // 3 floats = 12 B → next at 16; 8 floats = 32 B → next at 48; 1 float → size 64
    expect(arena.params.map((p) => p.offset)).toEqual([0, 16, 48]);
    expect(arena.grads.map((p) => p.offset)).toEqual([0, 16, 48]);
    expect(arena.size).toBe(64);
    expect(arena.paramBuffer.size).toBe(64);
    expect(arena.params.every((p) => p.buffer === arena.paramBuffer)).toBe(true);
    expect(arena.grads.every((p) => p.buffer === arena.gradBuffer)).toBe(true);
  });

  it('gives the one-dispatch-per-group path', () => {
    const f = fakeDevice();
    const arena = new ParamArena(f.device, [5, 300, 7, 4096]);
    const opt = new Adam(f.device, arena.params);
    opt.step(arena.grads);
    expect(opt.lastStepDispatches).toBe(1);
    const groups = new Adam(f.device, [
      { params: arena.params.slice(0, 2) },
      { params: arena.params.slice(2), lr: 0.1 },
    ]);
    groups.step(arena.grads);
    expect(groups.lastStepDispatches).toBe(2);
  });

  it('rejects bad lengths, sizes past the binding limit and bad writes', () => {
    const f = fakeDevice();
    expect(() => new ParamArena(f.device, [])).toThrow(/non-empty array/);
    expect(() => new ParamArena(f.device, [4, 0])).toThrow(
      /tensors\[1\] length must be a positive integer, got 0/,
    );
    expect(() => new ParamArena(f.device, [{ name: 'emb', length: -2 }])).toThrow(/emb length/);
    expect(() => new ParamArena(f.device, [1 << 26])).toThrow(/exceed this device's binding limit/);
    const arena = new ParamArena(f.device, [4]);
    expect(() => arena.writeParam(0, new Float32Array(3))).toThrow(
      /tensor 0 has 4 elements, got 3/,
    );
    expect(() => arena.writeGrad(2, new Float32Array(4))).toThrow(/no tensor 2/);
  });
});
