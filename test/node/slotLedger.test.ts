/**
 * The step ring's slot accounting (src/optim/slotLedger.ts) and, through a fake device, when
 * the ring allocates: never for plain steps, once for the first recorded step, and a chunk as
 * large as the ring whenever every slot is held.
 */
import { describe, expect, it } from 'vitest';
import { fenceValue, SlotLedger } from '../../src/optim/slotLedger.ts';
import { RING_SLOTS } from '../../src/optim/stepRing.ts';
import { twoTensorAdam } from './fakeDevice.ts';

/** A fence array of `n` words with `seqs` written where their slots are. */
function fences(n: number, written: Record<number, number>): Uint32Array {
  const out = new Uint32Array(n);
  for (const [slot, seq] of Object.entries(written)) out[Number(slot)] = fenceValue(seq);
  return out;
}

describe('SlotLedger', () => {
  it('hands out free slots in order with increasing sequence numbers, then null', () => {
    const l = new SlotLedger<string>();
    expect(l.take()).toBeNull();
    l.addChunk(2);
    expect(l.take()).toEqual({ chunk: 0, slot: 0, seq: 1 });
    expect(l.take()).toEqual({ chunk: 0, slot: 1, seq: 2 });
    expect(l.take()).toBeNull();
    expect(l.held).toBe(2);
    l.addChunk(2);
    expect(l.capacity).toBe(4);
    expect(l.take()).toEqual({ chunk: 1, slot: 0, seq: 3 });
    expect(l.heldChunks()).toEqual([0, 1]);
    expect(l.lastSeq).toBe(3);
  });

  it("slotsOf copies a chunk's holders (0 for free) and is not a live view", () => {
    const l = new SlotLedger<string>();
    l.addChunk(3);
    l.take(); // slot 0, seq 1
    l.take(); // slot 1, seq 2
    const before = l.slotsOf(0);
    expect(before).toEqual([1, 2, 0]);
    l.confirm(0, fences(3, { 0: 1 }));
    expect(l.slotsOf(0)).toEqual([0, 2, 0]);
    expect(before).toEqual([1, 2, 0]);
    expect(() => l.slotsOf(1)).toThrow(RangeError);
    expect(l.newestHeld()).toBe(2);
    l.confirm(0, fences(3, { 1: 2 }));
    expect(l.newestHeld()).toBe(0);
  });

  it('releases a slot only when its fence word holds its own step', () => {
    const l = new SlotLedger<string>();
    l.addChunk(3);
    l.take(); // slot 0, seq 1
    l.take(); // slot 1, seq 2
    // nothing ran yet: fresh fences are 0, which no step writes
    expect(l.confirm(0, new Uint32Array(3))).toBe(0);
    // slot 1's step ran; slot 0 shows nothing
    expect(l.confirm(0, fences(3, { 1: 2 }))).toBe(1);
    expect(l.held).toBe(1);
    expect(l.take()).toEqual({ chunk: 0, slot: 1, seq: 3 });
    // a stale fence (seq 2 in slot 1, now held by seq 3) releases nothing
    expect(l.confirm(0, fences(3, { 1: 2 }))).toBe(0);
    expect(l.confirm(0, fences(3, { 0: 1, 1: 3 }))).toBe(2);
    expect(l.held).toBe(0);
    expect(l.heldChunks()).toEqual([]);
  });

  it('frees a retired item once no held step up to its guard remains', () => {
    const l = new SlotLedger<string>();
    l.addChunk(4);
    expect(l.retire('nothing held')).toBe(true);
    l.take(); // seq 1
    l.take(); // seq 2
    expect(l.retire('used by 1 and 2')).toBe(false);
    l.take(); // seq 3
    expect(l.retire('used up to 3')).toBe(false);
    expect(l.retire('used by 1 only', 1)).toBe(false);
    expect(l.collect()).toEqual([]);
    l.confirm(0, fences(4, { 0: 1 }));
    expect(l.collect()).toEqual(['used by 1 only']);
    // 3 ran before 2 (out of order): 2 is still held, so nothing guarded by 2 or 3 is freed
    l.confirm(0, fences(4, { 2: 3 }));
    expect(l.collect()).toEqual([]);
    l.confirm(0, fences(4, { 1: 2 }));
    expect(l.collect()).toEqual(['used by 1 and 2', 'used up to 3']);
    l.take();
    expect(l.retire('on destroy')).toBe(false);
    expect(l.drain()).toEqual(['on destroy']);
  });

  it('fence values are never 0 and wrap within u32', () => {
    expect(fenceValue(1)).toBe(1);
    expect(fenceValue(0xffffffff)).toBe(0xffffffff);
    expect(fenceValue(0x100000000)).toBe(1);
  });

  it('rejects a chunk without slots', () => {
    expect(() => new SlotLedger().addChunk(0)).toThrow(
      /capacity must be a positive integer, got 0/,
    );
  });
});

describe('step ring allocation (fake device)', () => {
  const setup = twoTensorAdam;

  it('plain steps never allocate a ring', () => {
    const { f, opt, grads } = setup();
    opt.step(grads);
    const before = f.counts.buffers;
    for (let i = 0; i < 10; i++) opt.step(grads);
    expect(f.counts.buffers - before).toBe(0);
    expect(f.counts.copies).toBe(0);
  });

  it(`the first recorded step allocates ${RING_SLOTS} slots; held slots grow it by doubling`, () => {
    const { f, opt, grads } = setup();
    opt.step(grads);
    const encoder = f.device.createCommandEncoder();
    const created: number[] = [];
    // Nothing is ever confirmed here (the fake fence reads back zeros), as in a loop that
    // records without yielding to the event loop.
    for (let i = 0; i < 4 * RING_SLOTS + 1; i++) {
      const before = f.counts.buffers;
      opt.step(grads, encoder);
      created.push(f.counts.buffers - before);
    }
    // 3 buffers (slots, fences, fence readback) at steps 1, RING_SLOTS + 1, 2·RING_SLOTS + 1
    // and 4·RING_SLOTS + 1
    const grown = created.flatMap((n, i) => (n > 0 ? [[i + 1, n]] : []));
    expect(grown).toEqual([
      [1, 3],
      [RING_SLOTS + 1, 3],
      [2 * RING_SLOTS + 1, 3],
      [4 * RING_SLOTS + 1, 3],
    ]);
    // each recorded step: uniform copy in, fence copy out; plus the one fence readback the
    // first step started, still in flight (it cannot resolve inside this synchronous loop)
    expect(f.counts.copies).toBe(2 * (4 * RING_SLOTS + 1) + 1);
  });
});
