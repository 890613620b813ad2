/**
 * Optimizer.rebindParams (used by webgpu-optim/tfjs when TF.js moves a variable): checks, and
 * that it keeps state and step counts while the next step binds the new buffers once.
 */
import { describe, expect, it } from 'vitest';
import { twoTensorAdam } from './fakeDevice.ts';

describe('Optimizer.rebindParams', () => {
  const setup = twoTensorAdam;

  it('binds the new buffers on the next step only, keeping step counts', () => {
    const { f, opt, grads } = setup();
    opt.step(grads);
    opt.step(grads);
    const before = f.counts.bindGroups;
    const q = [f.buffer(16, undefined, 'moved-0'), f.buffer(16, undefined, 'moved-1')];
    opt.rebindParams(q.map((buffer) => ({ buffer, length: 4 })));
    expect(f.counts.bindGroups).toBe(before); // nothing made until a step
    opt.step(grads);
    const rebound = f.counts.bindGroups - before;
    expect(rebound).toBeGreaterThan(0);
    opt.step(grads);
    expect(f.counts.bindGroups - before).toBe(rebound);
    expect(opt.stepCounts).toEqual([4, 4]);
    expect(opt.paramGroups[0]?.params.map((r) => r.buffer.label)).toEqual(['moved-0', 'moved-1']);
  });

  it('rejects another count, another length, overlaps, and use after destroy', () => {
    const { f, opt } = setup();
    const b = f.buffer(64);
    expect(() => opt.rebindParams([{ buffer: b, length: 4 }])).toThrow(
      /rebindParams: params must be an array of 2 TensorRef, got 1/,
    );
    expect(() =>
      opt.rebindParams([
        { buffer: b, length: 4 },
        { buffer: b, offset: 16, length: 3 },
      ]),
    ).toThrow(/rebindParams: params\[1\]\.length is 3 but was 4/);
    expect(() =>
      opt.rebindParams([
        { buffer: b, length: 4 },
        { buffer: b, offset: 8, length: 4 },
      ]),
    ).toThrow(/overlap in the same buffer/);
    opt.destroy();
    expect(() =>
      opt.rebindParams([
        { buffer: b, length: 4 },
        { buffer: b, offset: 16, length: 4 },
      ]),
    ).toThrow(/rebindParams\(\) called after destroy\(\)/);
  });
});
