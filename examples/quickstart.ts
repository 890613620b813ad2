import { Adam } from 'webgpu-optim';

/** Two steps of Adam on two tensors that share one buffer; returns the updated params. */
export async function quickstart(device: GPUDevice): Promise<Float32Array> {
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  // params: a 4-float tensor at byte 0 and a 3-float tensor at byte 32; grads alike.
  const params = device.createBuffer({ size: 44, usage });
  const grads = device.createBuffer({ size: 44, usage });
  device.queue.writeBuffer(params, 0, new Float32Array([1, 2, 3, 4, 0, 0, 0, 0, 5, 6, 7]));
  device.queue.writeBuffer(grads, 0, new Float32Array([1, -2, 3, -4, 0, 0, 0, 0, 5, -6, 7]));
  const tensors = (buffer: GPUBuffer) => [
    { buffer, offset: 0, length: 4 },
    { buffer, offset: 32, length: 3 },
  ];

  const opt = new Adam(device, tensors(params), { lr: 0.1 });
  opt.step(tensors(grads)); // submits on device.queue

  const encoder = device.createCommandEncoder();
  opt.step(tensors(grads), encoder); // or record into your own encoder
  device.queue.submit([encoder.finish()]);

  const state = await opt.stateDict(); // { state: [{ step, exp_avg, exp_avg_sq }, ...], ... }
  console.log(state.state[0]?.step, state.state[0]?.exp_avg);
  await opt.checkErrors(); // rejects if WebGPU reported an error for the optimizer's work
  opt.destroy();

  const readback = device.createBuffer({
    size: 44,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const copy = device.createCommandEncoder();
  copy.copyBufferToBuffer(params, 0, readback, 0, 44);
  device.queue.submit([copy.finish()]);
  await readback.mapAsync(GPUMapMode.READ);
  return new Float32Array(readback.getMappedRange().slice(0));
}
