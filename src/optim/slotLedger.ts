/**
 * The bookkeeping of the step ring (src/optim/stepRing.ts), with no WebGPU in it: which ring
 * slots a recorded step still holds, which are free, and which retired objects may be freed.
 *
 * Every recorded step takes a slot and a sequence number. The slot stays held until a fence
 * readback shows that the step's commands ran (the fence word of the slot equals the step's
 * fence value), because only then is a `queue.writeBuffer` into the slot ordered after the
 * copy that reads it. Objects an unconfirmed step may still use (buffers replaced by a
 * rebind, staging buffers) are retired with a guard: the highest sequence number that may use
 * them. They may be destroyed once no held slot has a sequence number at or below the guard.
 */

/** A taken slot: its chunk, its index in the chunk, and the step's sequence number. */
export interface TakenSlot {
  chunk: number;
  slot: number;
  seq: number;
}

/** The u32 a step's commands write into its fence word: never 0, the value of a fresh fence. */
export function fenceValue(seq: number): number {
  return ((seq - 1) % 0xffffffff) + 1;
}

export class SlotLedger<T> {
  /** Per chunk, per slot: the sequence number of the step holding it, or 0 when free. */
  private readonly chunks: number[][] = [];
  private readonly retired: { item: T; guard: number }[] = [];
  private issued = 0;
  private holding = 0;

  /** Adds a chunk of `capacity` free slots and returns its index. */
  addChunk(capacity: number): number {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`SlotLedger: capacity must be a positive integer, got ${capacity}`);
    }
    this.chunks.push(Array.from({ length: capacity }, () => 0));
    return this.chunks.length - 1;
  }

  /** Slots over all chunks. */
  get capacity(): number {
    return this.chunks.reduce((a, c) => a + c.length, 0);
  }

  /** Slots held by steps not yet confirmed. */
  get held(): number {
    return this.holding;
  }

  /** The sequence number of the last step that took a slot (0 before the first). */
  get lastSeq(): number {
    return this.issued;
  }

  /** Takes the first free slot for the next step, or returns null when every slot is held. */
  take(): TakenSlot | null {
    for (const [chunk, slots] of this.chunks.entries()) {
      const slot = slots.indexOf(0);
      if (slot < 0) continue;
      const seq = ++this.issued;
      slots[slot] = seq;
      this.holding++;
      return { chunk, slot, seq };
    }
    return null;
  }

  /** Chunks with at least one held slot (those a fence readback needs to read). */
  heldChunks(): number[] {
    const out: number[] = [];
    this.chunks.forEach((slots, c) => {
      if (slots.some((s) => s !== 0)) out.push(c);
    });
    return out;
  }

  /** A copy of `chunk`'s slots: the sequence number holding each, or 0 when free. */
  slotsOf(chunk: number): number[] {
    const slots = this.chunks[chunk];
    if (!slots) throw new RangeError(`SlotLedger: no chunk ${chunk}`);
    return [...slots];
  }

  /**
   * Releases every held slot of `chunk` whose fence word (in `fences`, read from the GPU)
   * equals its step's fence value. Returns how many were released.
   */
  confirm(chunk: number, fences: ArrayLike<number>): number {
    const slots = this.chunks[chunk];
    if (!slots) throw new RangeError(`SlotLedger: no chunk ${chunk}`);
    let released = 0;
    slots.forEach((seq, slot) => {
      if (seq !== 0 && fences[slot] === fenceValue(seq)) {
        slots[slot] = 0;
        released++;
      }
    });
    this.holding -= released;
    return released;
  }

  /**
   * Retires `item`, which steps up to `guard` (default: the last step taken) may still use.
   * Returns true when it may be freed now (no such step is held); otherwise `collect()`
   * returns it once they are all confirmed.
   */
  retire(item: T, guard = this.issued): boolean {
    if (this.oldestHeld() > guard) return true;
    this.retired.push({ item, guard });
    return false;
  }

  /** Removes and returns the retired items no held step may use any more. */
  collect(): T[] {
    const oldest = this.oldestHeld();
    const out: T[] = [];
    for (let i = this.retired.length - 1; i >= 0; i--) {
      const r = this.retired[i] as { item: T; guard: number };
      if (oldest > r.guard) {
        out.push(r.item);
        this.retired.splice(i, 1);
      }
    }
    return out.reverse();
  }

  /** Removes and returns every retired item (on destroy). */
  drain(): T[] {
    return this.retired.splice(0).map((r) => r.item);
  }

  /** The highest held sequence number, or 0 when none is held. */
  newestHeld(): number {
    let max = 0;
    for (const slots of this.chunks) for (const s of slots) if (s > max) max = s;
    return max;
  }

  /** The lowest held sequence number, or Infinity when none is held. */
  private oldestHeld(): number {
    let min = Infinity;
    for (const slots of this.chunks) for (const s of slots) if (s !== 0 && s < min) min = s;
    return min;
  }
}
