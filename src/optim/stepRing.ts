/**
 * The step ring: how a step recorded into a caller's encoder gets its own per-step data (the
 * packed uniform: lr, bias corrections, geometry) however many steps are recorded before the
 * submit.
 *
 * Why: `queue.writeBuffer` runs on the queue timeline at the call, not when the encoder that
 * needs the data is submitted. Writing the uniform directly would make every step recorded
 * ahead of one submit run with the last step's scalars.
 *
 * How: a step recorded into an encoder writes its bytes into a free slot of a staging ring
 * (COPY_SRC | COPY_DST buffers) with `queue.writeBuffer`, then records
 * `copyBufferToBuffer(ring slot → uniform)` before its compute pass, so the uniform holds that
 * step's bytes exactly while that step's pass runs. After the pass it records a 4-byte copy of
 * the slot's sequence word into the slot's fence word. A slot stays held until a background
 * readback of the fence words (started by step(), never awaited by it) shows the step ran; a
 * later writeBuffer into the slot is then ordered after the copy that read it. Steps the
 * optimizer submits itself never use the ring: their writeBuffer is ordered before their own
 * submit and after every earlier one.
 *
 * Capacity: the ring starts with RING_SLOTS slots, allocated by the first recorded step. When
 * every slot is held (more steps recorded ahead than slots, or a loop that records and
 * submits without ever yielding to the event loop, so no fence readback can resolve), it
 * grows by a chunk as large as all existing ones: three buffers (slots, fence words, fence
 * readback) of `capacity × (uniform bytes + 4)`, `4 × capacity` and `4 × capacity` bytes.
 * Buffers are never destroyed while an unconfirmed step may use them.
 */
import { readBack } from '../kernels/readback.ts';
import { BufferUsage } from '../kernels/usage.ts';
import { fenceValue, SlotLedger } from './slotLedger.ts';

/** Slots the ring starts with. */
export const RING_SLOTS = 4;

interface Chunk {
  capacity: number;
  /** The slots: `stride` bytes each, the payload then the 4-byte sequence word. */
  data: GPUBuffer;
  /** One fence word per slot, written by the recorded commands. */
  fence: GPUBuffer;
  /** MAP_READ copy of `fence`. */
  readback: GPUBuffer;
}

export class StepRing {
  private readonly ledger = new SlotLedger<GPUBuffer>();
  private readonly chunks: Chunk[] = [];
  private readonly stride: number;
  private readonly word = new Uint32Array(1);
  private polling = false;
  private destroyed = false;
  /** Buffers the ring created (chunks), for tests and diagnostics. */
  created = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly label: string,
    /** Bytes each step copies (a multiple of 4). */
    private readonly bytes: number,
  ) {
    this.stride = bytes + 4;
  }

  /** Slots over all chunks. */
  get capacity(): number {
    return this.ledger.capacity;
  }

  /** Slots held by recorded steps not yet confirmed to have run. */
  get held(): number {
    return this.ledger.held;
  }

  /** The sequence number of the newest step holding a slot, or 0 when none is held. */
  get newestHeld(): number {
    return this.ledger.newestHeld();
  }

  /**
   * Records into `encoder` a copy of `data`'s first `bytes` bytes into `dst` at offset 0,
   * taking a slot (growing the ring when none is free). Returns the step's sequence number
   * and `fence`, which records the fence copy: call it after the step's pass.
   */
  record(
    encoder: GPUCommandEncoder,
    data: ArrayBuffer,
    dst: GPUBuffer,
  ): { seq: number; fence: () => void } {
    let taken = this.ledger.take();
    if (!taken) {
      this.grow(Math.max(this.ledger.capacity, RING_SLOTS));
      taken = this.ledger.take();
    }
    const { chunk, slot, seq } = taken as NonNullable<typeof taken>;
    const c = this.chunks[chunk] as Chunk;
    const at = slot * this.stride;
    const queue = this.device.queue;
    queue.writeBuffer(c.data, at, data, 0, this.bytes);
    this.word[0] = fenceValue(seq);
    queue.writeBuffer(c.data, at + this.bytes, this.word);
    encoder.copyBufferToBuffer(c.data, at, dst, 0, this.bytes);
    return {
      seq,
      fence: () => encoder.copyBufferToBuffer(c.data, at + this.bytes, c.fence, 4 * slot, 4),
    };
  }

  /**
   * Destroys `buffers` once no recorded step up to `guard` (default: the last one) may use
   * them: now if none is held.
   */
  retire(buffers: readonly GPUBuffer[], guard?: number): void {
    for (const b of buffers) if (this.ledger.retire(b, guard)) b.destroy();
  }

  /**
   * Starts a fence readback when slots are held and none is in flight. Never waits: the
   * slots are released (and retired buffers freed) when the readback resolves.
   */
  poll(): void {
    if (this.polling || this.destroyed || this.ledger.held === 0) return;
    const indices = this.ledger.heldChunks();
    const chunks = indices.map((i) => this.chunks[i] as Chunk);
    const encoder = this.device.createCommandEncoder({ label: `${this.label}/ring-fence-copy` });
    for (const c of chunks) encoder.copyBufferToBuffer(c.fence, 0, c.readback, 0, 4 * c.capacity);
    this.device.queue.submit([encoder.finish({ label: `${this.label}/ring-fence-copy` })]);
    this.polling = true;
    const maps = chunks.map((c) => c.readback.mapAsync(BufferUsage.MAP_READ));
    void Promise.allSettled(maps).then((settled) => {
      this.polling = false;
      if (this.destroyed) return;
      try {
        settled.forEach((s, k) => {
          const c = chunks[k] as Chunk;
          if (s.status !== 'fulfilled') return;
          this.ledger.confirm(indices[k] as number, new Uint32Array(c.readback.getMappedRange()));
          c.readback.unmap();
        });
        for (const b of this.ledger.collect()) b.destroy();
      } catch {
        // Only a lost device gets here; the slots then stay held, which is always safe. Never
        // let it surface as an unhandled rejection of a promise nobody awaits.
      }
    });
  }

  /**
   * Submits now a copy of every held slot's fence word and resolves with the sequence
   * numbers of the held steps that had not run at that point of the queue: steps whose
   * encoders were not submitted before this call. Releases the slots of those that had. Used
   * to detect work the optimizer puts on the queue at the call (a plain step, loadStateDict,
   * stateDict) while a step recorded earlier was still unsubmitted, which would run it out of
   * order. Resolves with [] when no slot is held.
   */
  unsubmitted(): Promise<number[]> {
    if (this.destroyed || this.ledger.held === 0) return Promise.resolve([]);
    const indices = this.ledger.heldChunks();
    const reads = indices.map((i) => {
      const c = this.chunks[i] as Chunk;
      const label = `${this.label}/ring-order-check[${i}]`;
      return {
        slots: this.ledger.slotsOf(i),
        bytes: readBack(this.device, c.fence, 4 * c.capacity, label),
      };
    });
    return Promise.all(reads.map((r) => r.bytes)).then((all) => {
      const missing: number[] = [];
      all.forEach((bytes, k) => {
        const fences = new Uint32Array(bytes);
        (reads[k] as { slots: number[] }).slots.forEach((seq, slot) => {
          if (seq !== 0 && fences[slot] !== fenceValue(seq)) missing.push(seq);
        });
        if (!this.destroyed) this.ledger.confirm(indices[k] as number, fences);
      });
      if (!this.destroyed) for (const b of this.ledger.collect()) b.destroy();
      return missing.sort((a, b) => a - b);
    });
  }

  /** Frees every buffer the ring created or was handed. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const c of this.chunks) {
      c.data.destroy();
      c.fence.destroy();
      c.readback.destroy();
    }
    for (const b of this.ledger.drain()) b.destroy();
  }

  private grow(capacity: number): void {
    const k = this.chunks.length;
    const make = (role: string, size: number, usage: number) =>
      this.device.createBuffer({ label: `${this.label}/ring-${role}[${k}]`, size, usage });
    const copy = BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
    this.chunks.push({
      capacity,
      data: make('slots', capacity * this.stride, copy),
      fence: make('fences', 4 * capacity, copy),
      readback: make('fence-readback', 4 * capacity, BufferUsage.MAP_READ | BufferUsage.COPY_DST),
    });
    this.created += 3;
    this.ledger.addChunk(capacity);
  }
}
