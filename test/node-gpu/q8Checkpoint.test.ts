/**
 * 'q8' state through a binary checkpoint on Dawn in Node (test/browser/suites/q8Checkpoint.ts):
 * save → serialize → deserialize → load → continue, bitwise against the reference.
 */
import { expect, it } from 'vitest';
import { q8Checkpoint } from '../browser/suites/q8Checkpoint.ts';
import { describeNodeGpu, useNodeDevice } from './harness.ts';

describeNodeGpu('q8 checkpoints on Dawn in Node', () => {
  useNodeDevice();

  it('resumes bitwise from serialized codes and absmax, on the GPU and on the reference', async () => {
    const r = await q8Checkpoint(3);
    expect(r.failures).toEqual([]);
    // 5000 and 4099 are stored in 8 bits, 300 stays f32 (min8bitSize 4096).
    expect(r.quantized).toEqual([2, 2, 2]);
    // Adam with AMSGrad keeps 3 arrays: 8-bit ones cost 1 byte per element and 4 per block.
    const adamData = 3 * (5000 + 4 * 20 + 4 * 300 + 4099 + 4 * 17);
    expect(r.bytes[0]).toBeGreaterThan(adamData);
    expect(r.bytes[0]).toBeLessThan(adamData + 4096);
  });
});
