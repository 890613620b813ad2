import { Adam, OptimizerError, SGD } from '../../../src/index.ts';
import { gpu, trackedDevice } from './device.ts';

export interface MisuseResult {
  /** Error delivered to onError for a param buffer from another device. */
  otherDeviceOnError: string | null;
  /** checkErrors() rejection for a destroyed grad buffer (no onError given). */
  destroyedCheckErrors: string | null;
  /** The synchronous throw of the step() after that error arrived. */
  destroyedNextStepThrows: string | null;
  /** step() after destroy(). */
  stepAfterDestroy: string | null;
  /** destroy() twice does not throw. */
  destroyTwiceOk: boolean;
  /** The device-level validation scope around the whole suite (must stay null). */
  leaked: string | null;
}

function usage(): number {
  return GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
}

/** Misuse that WebGPU reports only asynchronously, and misuse we catch synchronously. */
export async function misuse(): Promise<MisuseResult> {
  const { device } = await trackedDevice();
  device.pushErrorScope('validation');
  const result: MisuseResult = {
    otherDeviceOnError: null,
    destroyedCheckErrors: null,
    destroyedNextStepThrows: null,
    stepAfterDestroy: null,
    destroyTwiceOk: false,
    leaked: null,
  };

  // 1. A buffer from another device: WebGPU rejects the bind group asynchronously.
  const adapter = await gpu().requestAdapter();
  const other = await (adapter as GPUAdapter).requestDevice();
  const foreign = other.createBuffer({ label: 'test/foreign', size: 64, usage: usage() });
  const grad = device.createBuffer({ label: 'test/grad', size: 64, usage: usage() });
  const received: OptimizerError[] = [];
  const a = new Adam(device, [{ buffer: foreign, length: 16 }], {
    onError: (e) => received.push(e),
  });
  a.step([{ buffer: grad, length: 16 }]);
  await a.checkErrors();
  result.otherDeviceOnError = received[0]?.message ?? null;
  a.destroy();
  other.destroy();

  // 2. A destroyed grad buffer, without onError: checkErrors() rejects, then step() throws.
  const param = device.createBuffer({ label: 'test/param', size: 64, usage: usage() });
  const dead = device.createBuffer({ label: 'test/dead-grad', size: 64, usage: usage() });
  dead.destroy();
  const s = new SGD(device, [{ buffer: param, length: 16 }], { lr: 0.1 });
  s.step([{ buffer: dead, length: 16 }]);
  await s.checkErrors().catch((e: unknown) => {
    result.destroyedCheckErrors =
      e instanceof OptimizerError ? e.message : `not an OptimizerError: ${String(e)}`;
  });
  // The next error is not awaited: a later step() throws it once it has arrived.
  s.step([{ buffer: dead, length: 16 }]);
  for (let i = 0; i < 300 && result.destroyedNextStepThrows === null; i++) {
    await new Promise((r) => setTimeout(r, 10));
    try {
      s.step([{ buffer: grad, length: 16 }]);
    } catch (e) {
      result.destroyedNextStepThrows =
        e instanceof OptimizerError ? e.message : `not an OptimizerError: ${String(e)}`;
    }
  }
  await s.checkErrors();

  // 3. step() after destroy(), and destroy() twice.
  s.destroy();
  try {
    s.destroy();
    result.destroyTwiceOk = true;
  } catch {
    result.destroyTwiceOk = false;
  }
  try {
    s.step([{ buffer: grad, length: 16 }]);
  } catch (e) {
    result.stepAfterDestroy = String(e);
  }
  [param, grad].forEach((b) => b.destroy());
  const leaked = await device.popErrorScope();
  result.leaked = leaked ? leaked.message : null;
  return result;
}
