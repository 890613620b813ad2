/**
 * A state dict as one ArrayBuffer, for IndexedDB or a file: an 8-byte magic, a u32 header
 * length, a UTF-8 JSON header (everything but the arrays, plus where each array lies), zero
 * padding to 4 bytes, then the arrays' raw little-endian f32 bytes back to back.
 */
import type { StateDict, TensorState } from './stateDict.ts';
import type { StateName } from './types.ts';

const MAGIC = 'WGPUOPT1';

interface Header extends Omit<StateDict, 'state'> {
  state: ({ step: number; mu_product?: number } & {
    arrays: Partial<Record<StateName, [offset: number, length: number]>>;
  })[];
}

/** Serializes a state dict (from an optimizer or the reference) into one ArrayBuffer. */
export function serializeStateDict(dict: StateDict): ArrayBuffer {
  let floats = 0;
  const state = dict.state.map((s) => {
    const arrays: Partial<Record<StateName, [number, number]>> = {};
    for (const [name, v] of Object.entries(s)) {
      if (v instanceof Float32Array) {
        arrays[name as StateName] = [floats, v.length];
        floats += v.length;
      }
    }
    return {
      step: s.step,
      ...(s.mu_product !== undefined ? { mu_product: s.mu_product } : {}),
      arrays,
    };
  });
  const header: Header = { ...dict, state };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((12 + json.length) / 4) * 4;
  const out = new ArrayBuffer(dataStart + 4 * floats);
  const bytes = new Uint8Array(out);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out).setUint32(8, json.length, true);
  bytes.set(json, 12);
  const data = new DataView(out, dataStart);
  dict.state.forEach((s, i) => {
    for (const [name, [offset]] of Object.entries(state[i]?.arrays ?? {}) as [
      StateName,
      [number, number],
    ][]) {
      const v = s[name] as Float32Array;
      for (let k = 0; k < v.length; k++) data.setFloat32(4 * (offset + k), v[k] as number, true);
    }
  });
  return out;
}

/**
 * Reads what `serializeStateDict` wrote. Errors name what is wrong; the optimizer's
 * `loadStateDict` then checks the algorithm, version, tensor count, lengths and dtype.
 */
export function deserializeStateDict(buffer: ArrayBuffer): StateDict {
  const fail = (msg: string): never => {
    throw new Error(`deserializeStateDict: ${msg}`);
  };
  if (!(buffer instanceof ArrayBuffer)) fail(`expected an ArrayBuffer, got ${String(buffer)}`);
  if (buffer.byteLength < 12) fail(`${buffer.byteLength} bytes is too short for a checkpoint`);
  const magic = new TextDecoder().decode(new Uint8Array(buffer, 0, 8));
  if (magic !== MAGIC)
    fail(`not a webgpu-optim checkpoint (magic ${JSON.stringify(magic)}, expected "${MAGIC}")`);
  const length = new DataView(buffer).getUint32(8, true);
  if (12 + length > buffer.byteLength)
    fail(`header of ${length} bytes runs past the end of the buffer`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 12, length))) as Header;
  } catch (e) {
    return fail(`header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!Array.isArray(header.state)) fail('header.state must be an array');
  const dataStart = Math.ceil((12 + length) / 4) * 4;
  const total = (buffer.byteLength - dataStart) / 4;
  const data = new DataView(buffer, dataStart);
  const state: TensorState[] = header.state.map((s, i) => {
    const out: TensorState = { step: s.step };
    if (s.mu_product !== undefined) out.mu_product = s.mu_product;
    for (const [name, range] of Object.entries(s.arrays ?? {}) as [StateName, [number, number]][]) {
      const [offset, n] = range;
      if (
        !Number.isInteger(offset) ||
        !Number.isInteger(n) ||
        offset < 0 ||
        n < 0 ||
        offset + n > total
      ) {
        fail(
          `state[${i}].${name} lies at [${offset}, ${offset + n}) but the data holds ${total} floats`,
        );
      }
      const v = new Float32Array(n);
      for (let k = 0; k < n; k++) v[k] = data.getFloat32(4 * (offset + k), true);
      out[name] = v;
    }
    return out;
  });
  return { ...header, state };
}
