/** Asks the browser for a WebGPU device; says why not when there is none. */

export type DeviceResult =
  { device: GPUDevice; adapter: string } | { device: null; reason: string };

export async function requestDevice(): Promise<DeviceResult> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    return { device: null, reason: 'navigator.gpu is undefined' };
  }
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return { device: null, reason: 'navigator.gpu.requestAdapter() returned null' };
  const device = await adapter.requestDevice({ label: 'webgpu-optim-demo' });
  device.addEventListener('uncapturederror', (e) => {
    console.error(`WebGPU error: ${(e as GPUUncapturedErrorEvent).error.message}`);
  });
  const i = adapter.info;
  return {
    device,
    adapter:
      [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'unknown adapter',
  };
}
