/**
 * A construction that fails after allocating (fake device): the error names the tensor, and
 * every buffer the optimizer created before it is destroyed, so a caught error leaks nothing.
 */
import { describe, expect, it } from 'vitest';
import { Adam, LAMB } from '../../src/index.ts';
import { fakeDevice, type FakeDevice } from './fakeDevice.ts';

/** Records every buffer `f` creates and whether it was destroyed. */
function trackBuffers(f: FakeDevice): { label: string; destroyed: boolean }[] {
  const made: { label: string; destroyed: boolean }[] = [];
  const create = f.device.createBuffer.bind(f.device);
  f.device.createBuffer = (d: GPUBufferDescriptor) => {
    const b = create(d);
    const entry = { label: d.label ?? '', destroyed: false };
    made.push(entry);
    b.destroy = () => {
      entry.destroyed = true;
    };
    return b;
  };
  return made;
}

describe('a failed construction frees what it allocated', () => {
  // 2^25 elements of Adam: two f32 arrays of 128 MiB, more than the fake device's 128 MiB
  // binding limit in one range (the state store refuses it, after the tensor table exists)
  const big = 1 << 25;

  it.each([
    ['Adam', (f: FakeDevice) => new Adam(f.device, [{ buffer: f.buffer(4 * big), length: big }])],
    [
      "Adam with 'q8' (its 8-bit store allocated first)",
      (f: FakeDevice) => {
        // min8bitSize 2^24 + 16: the first tensor is stored in 8 bits, the second (2^24 + 8
        // elements, 8 bytes of f32 state each) is over the binding limit
        const n8 = (1 << 24) + 16;
        const n32 = (1 << 24) + 8;
        return new Adam(
          f.device,
          [
            { buffer: f.buffer(4 * n8), length: n8 },
            { buffer: f.buffer(4 * n32), length: n32 },
          ],
          { stateDtype: 'q8', min8bitSize: n8 },
        );
      },
    ],
    [
      'LAMB',
      (f: FakeDevice) =>
        new LAMB(f.device, [
          { buffer: f.buffer(64), length: 16 },
          { buffer: f.buffer(4 * big), length: big },
        ]),
    ],
  ] as const)('%s', (_, make) => {
    const f = fakeDevice();
    const made = trackBuffers(f);
    expect(() => make(f)).toThrow(/params\[\d\] needs \d+ bytes of state/);
    expect(made.length).toBeGreaterThan(0);
    expect(made.filter((b) => !b.destroyed).map((b) => b.label)).toEqual([]);
  });
});
