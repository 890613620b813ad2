/**
 * Run by Node in the consumer project before the TF.js packages are linked into it (see
 * README.md here): the main entries import without them, and 'webgpu-optim/tfjs' fails with
 * an error naming the missing package. Prints one JSON line for scripts/packCheck.ts.
 */
const api = await import('webgpu-optim');
const reference = await import('webgpu-optim/reference');

let tfjs = { code: 'resolved', message: '' };
try {
  await import('webgpu-optim/tfjs');
} catch (e) {
  tfjs = { code: e.code, message: e.message };
}

console.log(
  JSON.stringify({
    api: Object.keys(api).length,
    reference: Object.keys(reference).length,
    tfjs,
  }),
);
