/**
 * Counts the bind groups webgpu-optim creates on a device (labels starting `webgpu-optim/`) by
 * wrapping that device's createBindGroup. Used where the device is someone else's (TF.js's).
 */
export function countOurBindGroups(device: GPUDevice): () => number {
  let ours = 0;
  const original = device.createBindGroup.bind(device);
  device.createBindGroup = (d: GPUBindGroupDescriptor) => {
    if (d.label?.startsWith('webgpu-optim/')) ours++;
    return original(d);
  };
  return () => ours;
}
