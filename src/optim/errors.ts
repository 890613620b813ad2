/**
 * An error WebGPU reported asynchronously for work the optimizer issued: for example a
 * buffer from another device, a destroyed buffer, or running out of memory; or work found
 * out of order when it ran (a plain step() or loadStateDict() put on the queue before a step
 * recorded earlier into an encoder was submitted; `gpuError` then only carries the message).
 * It reaches the
 * caller through the `onError` callback, or else through `checkErrors()` and the next
 * `step()`, which throws it. It is never dropped.
 */
export class OptimizerError extends Error {
  /** The underlying GPUError. */
  readonly gpuError: GPUError;
  /** What the optimizer was doing: "step 3", "first step: bind groups", ... */
  readonly operation: string;

  constructor(where: string, operation: string, gpuError: GPUError, ownMessage?: string) {
    super(
      ownMessage ?? `${where}: WebGPU reported an error during ${operation}: ${gpuError.message}`,
    );
    this.name = 'OptimizerError';
    this.gpuError = gpuError;
    this.operation = operation;
  }
}

/** Collects the results of error scopes and hands each error to its consumer exactly once. */
export class ErrorChannel {
  private pending: OptimizerError[] = [];
  private inflight: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly where: string,
    private readonly onError: ((error: OptimizerError) => void) | undefined,
  ) {}

  /** Opens validation and out-of-memory scopes around work the optimizer is about to issue. */
  open(device: GPUDevice): void {
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
  }

  /** Closes the scopes opened by `open`, attributing any error to `operation`. */
  close(device: GPUDevice, operation: string): void {
    const scopes = [device.popErrorScope(), device.popErrorScope()];
    const done = Promise.all(scopes).then(
      (errors) => {
        for (const e of errors) if (e) this.report(new OptimizerError(this.where, operation, e));
      },
      (cause: unknown) => {
        const message = cause instanceof Error ? cause.message : String(cause);
        this.report(new OptimizerError(this.where, operation, { message } as GPUError));
      },
    );
    this.inflight = Promise.all([this.inflight, done]);
  }

  /**
   * Waits for `check` (started by the caller) and reports the message it resolves with, if
   * any, as an error of `operation`. `checkErrors()` waits for it too.
   */
  watch(check: Promise<string | null>, operation: string): void {
    const done = check.then(
      (message) => {
        if (message !== null) {
          const full = `${this.where}: ${message}`;
          this.report(new OptimizerError(this.where, operation, { message } as GPUError, full));
        }
      },
      (cause: unknown) => {
        const message = cause instanceof Error ? cause.message : String(cause);
        this.report(new OptimizerError(this.where, operation, { message } as GPUError));
      },
    );
    this.inflight = Promise.all([this.inflight, done]);
  }

  private report(error: OptimizerError): void {
    if (this.onError) this.onError(error);
    else this.pending.push(error);
  }

  /** Throws the oldest error that has arrived and not been delivered, if any. */
  throwPending(): void {
    const e = this.pending.shift();
    if (e) throw e;
  }

  /** Waits for every scope opened so far, then throws the oldest undelivered error. */
  async settle(): Promise<void> {
    await this.inflight;
    this.throwPending();
  }
}
