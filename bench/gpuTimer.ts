/**
 * GPU time of recorded work, from `timestamp-query` when the device has it. Work is bracketed
 * by two empty compute passes whose timestampWrites mark its beginning and end, so any
 * recorder (ours, a copy) can be timed without changing it.
 */
export class GpuTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolve: GPUBuffer;
  private used = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly capacity: number,
  ) {
    this.querySet = device.createQuerySet({
      label: 'bench/timestamps',
      type: 'timestamp',
      count: 2 * capacity,
    });
    this.resolve = device.createBuffer({
      label: 'bench/timestamps-resolve',
      size: 16 * capacity,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
  }

  /** Records `work` into `encoder` between two timestamps. */
  bracket(encoder: GPUCommandEncoder, work: (encoder: GPUCommandEncoder) => void): void {
    if (this.used >= this.capacity) throw new Error('GpuTimer is full; call read() first');
    const i = 2 * this.used++;
    encoder
      .beginComputePass({
        timestampWrites: { querySet: this.querySet, beginningOfPassWriteIndex: i },
      })
      .end();
    work(encoder);
    encoder
      .beginComputePass({
        timestampWrites: { querySet: this.querySet, endOfPassWriteIndex: i + 1 },
      })
      .end();
  }

  /** Milliseconds of each bracketed span since the last read(), then resets. */
  async read(): Promise<number[]> {
    const n = this.used;
    this.used = 0;
    if (n === 0) return [];
    const staging = this.device.createBuffer({
      size: 16 * n,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const encoder = this.device.createCommandEncoder();
    encoder.resolveQuerySet(this.querySet, 0, 2 * n, this.resolve, 0);
    encoder.copyBufferToBuffer(this.resolve, 0, staging, 0, 16 * n);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(staging.getMappedRange().slice(0));
    staging.destroy();
    return Array.from(
      { length: n },
      (_, k) => Number((t[2 * k + 1] as bigint) - (t[2 * k] as bigint)) / 1e6,
    );
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolve.destroy();
  }
}
