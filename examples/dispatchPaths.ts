import { Adam, ParamArena, type TensorRef } from 'webgpu-optim';

/**
 * The same three tensors stepped twice: from a ParamArena (one buffer of params, one of grads)
 * and from one buffer per tensor, gathered (the default: small tensors are copied into one
 * range the optimizer owns and updated together) or not (`gatherBelow: 0`). Returns how many
 * dispatches each step recorded and whether the three runs wrote the same params, bit for bit.
 */
export async function dispatchPaths(device: GPUDevice) {
  const lengths = [1000, 3, 4096];
  const data = (length: number, seed: number) =>
    Float32Array.from({ length }, (_, i) => Math.sin(seed + i));
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const ownBuffer = (values: Float32Array<ArrayBuffer>): TensorRef => {
    const buffer = device.createBuffer({ size: values.byteLength, usage });
    device.queue.writeBuffer(buffer, 0, values);
    return { buffer, length: values.length };
  };

  const arena = new ParamArena(device, lengths);
  lengths.forEach((n, i) => {
    arena.writeParam(i, data(n, i));
    arena.writeGrad(i, data(n, 10 + i));
  });
  const params = lengths.map((n, i) => ownBuffer(data(n, i)));
  const gatheredParams = lengths.map((n, i) => ownBuffer(data(n, i)));
  const grads = lengths.map((n, i) => ownBuffer(data(n, 10 + i)));

  const fused = new Adam(device, arena.params, { lr: 0.01 });
  const gathered = new Adam(device, gatheredParams, { lr: 0.01 });
  const perTensor = new Adam(device, params, { lr: 0.01, gatherBelow: 0 });
  for (let step = 0; step < 2; step++) {
    fused.step(arena.grads);
    gathered.step(grads);
    perTensor.step(grads);
  }

  const read = async (ref: TensorRef) => {
    const size = 4 * ref.length;
    const readback = device.createBuffer({
      size,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const copy = device.createCommandEncoder();
    copy.copyBufferToBuffer(ref.buffer, ref.offset ?? 0, readback, 0, size);
    device.queue.submit([copy.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const values = new Uint32Array(readback.getMappedRange().slice(0)); // the bits
    readback.destroy();
    return values;
  };
  const fusedBits = await Promise.all(arena.params.map(read));
  const ownBits = await Promise.all(params.map(read));
  const gatheredBits = await Promise.all(gatheredParams.map(read));
  const same = fusedBits.every((a, i) =>
    a.every((bits, j) => bits === ownBits[i]?.[j] && bits === gatheredBits[i]?.[j]),
  );
  const result = {
    arena: fused.lastStepDispatches, // 1: the whole group in one dispatch
    gathered: gathered.lastStepDispatches, // 1: copied in, one dispatch, copied back
    perTensor: perTensor.lastStepDispatches, // 3: one per tensor
    same, // true
  };
  fused.destroy();
  gathered.destroy();
  perTensor.destroy();
  arena.destroy();
  for (const ref of [...params, ...gatheredParams, ...grads]) ref.buffer.destroy();
  return result;
}
