/**
 * A state dict as one ArrayBuffer, for IndexedDB or a file: an 8-byte magic, a u32 header
 * length, a UTF-8 JSON header (everything but the arrays, plus where each array lies), zero
 * padding to 4 bytes, then the data: the arrays' raw little-endian f32 bytes back to back, and
 * after them the 8-bit codes of 'q8' tensors, one byte each.
 *
 * A tensor's header entry is `{ step, mu_product?, arrays, q8? }`: `arrays[name]` is
 * `[offset, length]` in floats from the start of the data; `q8[name]` is
 * `{ codes: [offset, length], absmax: [offset, length] }`, codes in bytes from the start of the
 * data and absmax in floats. An array stored in 8 bits is written only as codes and absmax (1
 * byte per element and 4 per block of 256, not 5 per element): reading rebuilds its f32 array
 * as the values the codes read back as, which is what the dict held (the optimizers' and the
 * reference's `stateDict()` give exactly those). Checkpoints without `q8` entries are laid out
 * as before the 8-bit state existed, so old files read unchanged.
 */
import { dequantize, q8Blocks, q8Signed, type Quantized } from './q8.ts';
import type { StateDict, TensorState } from './stateDict.ts';
import type { StateName } from './types.ts';

const MAGIC = 'WGPUOPT1';

type Range = [offset: number, length: number];

interface HeaderTensor {
  step: number;
  mu_product?: number;
  arrays: Partial<Record<StateName, Range>>;
  q8?: Partial<Record<StateName, { codes: Range; absmax: Range }>>;
}

interface Header extends Omit<StateDict, 'state'> {
  state: HeaderTensor[];
}

/** The tensor's 8-bit arrays, checked to be what the layout can write. */
function q8Entries(s: TensorState, i: number): [StateName, Quantized][] {
  return Object.entries(s.q8 ?? {}).map(([name, q]) => {
    const { codes, absmax } = (q ?? {}) as Partial<Quantized>;
    if (!(codes instanceof Uint8Array) || !(absmax instanceof Float32Array)) {
      throw new Error(
        `serializeStateDict: state[${i}].q8.${name} must hold codes (a Uint8Array) and absmax (a Float32Array)`,
      );
    }
    return [name as StateName, { codes, absmax }];
  });
}

/** Serializes a state dict (from an optimizer or the reference) into one ArrayBuffer. */
export function serializeStateDict(dict: StateDict): ArrayBuffer {
  let floats = 0;
  const quantized = dict.state.map(q8Entries);
  const state = dict.state.map((s, i) => {
    const q8s = quantized[i] as [StateName, Quantized][];
    const arrays: Partial<Record<StateName, Range>> = {};
    for (const [name, v] of Object.entries(s)) {
      // An 8-bit array travels as its codes and absmax only.
      if (v instanceof Float32Array && !q8s.some(([n]) => n === name)) {
        arrays[name as StateName] = [floats, v.length];
        floats += v.length;
      }
    }
    const entry: HeaderTensor = {
      step: s.step,
      ...(s.mu_product !== undefined ? { mu_product: s.mu_product } : {}),
      arrays,
    };
    if (s.q8 !== undefined) {
      entry.q8 = {};
      for (const [name, q] of q8s) {
        entry.q8[name] = { codes: [0, q.codes.length], absmax: [floats, q.absmax.length] };
        floats += q.absmax.length;
      }
    }
    return entry;
  });
  // The codes follow the floats: their byte offsets are known once every float is placed.
  let end = 4 * floats;
  for (const entry of state) {
    for (const where of Object.values(entry.q8 ?? {})) {
      where.codes[0] = end;
      end += where.codes[1];
    }
  }
  const header: Header = { ...dict, state };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((12 + json.length) / 4) * 4;
  const out = new ArrayBuffer(dataStart + end);
  const bytes = new Uint8Array(out);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out).setUint32(8, json.length, true);
  bytes.set(json, 12);
  const data = new DataView(out, dataStart);
  const putFloats = (v: Float32Array, offset: number) => {
    for (let k = 0; k < v.length; k++) data.setFloat32(4 * (offset + k), v[k] as number, true);
  };
  dict.state.forEach((s, i) => {
    const entry = state[i] as HeaderTensor;
    for (const [name, [offset]] of Object.entries(entry.arrays) as [StateName, Range][]) {
      putFloats(s[name] as Float32Array, offset);
    }
    for (const [name, q] of quantized[i] as [StateName, Quantized][]) {
      const where = entry.q8?.[name] as { codes: Range; absmax: Range };
      bytes.set(q.codes, dataStart + where.codes[0]);
      putFloats(q.absmax, where.absmax[0]);
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
  const dataStart = Math.min(Math.ceil((12 + length) / 4) * 4, buffer.byteLength);
  const dataBytes = buffer.byteLength - dataStart;
  const total = Math.floor(dataBytes / 4);
  const data = new DataView(buffer, dataStart);

  /** Checks that `range` is [offset, length] inside `limit` `units`; the error names `field`. */
  const check = (range: unknown, limit: number, field: string, units: string): Range => {
    const [offset, n] = Array.isArray(range) ? (range as unknown[]) : [];
    if (
      typeof offset !== 'number' ||
      typeof n !== 'number' ||
      !Number.isInteger(offset) ||
      !Number.isInteger(n) ||
      offset < 0 ||
      n < 0 ||
      offset + n > limit
    ) {
      const shown =
        typeof offset === 'number' && typeof n === 'number'
          ? `lies at [${offset}, ${offset + n})`
          : `is ${JSON.stringify(range)}, not [offset, length]`;
      fail(`${field} ${shown} but the data holds ${limit} ${units}`);
    }
    return [offset as number, n as number];
  };
  const readFloats = (range: unknown, field: string): Float32Array => {
    const [offset, n] = check(range, total, field, 'floats');
    const v = new Float32Array(n);
    for (let k = 0; k < n; k++) v[k] = data.getFloat32(4 * (offset + k), true);
    return v;
  };

  /** A tensor's 8-bit arrays; each also fills `out[name]` with the values it reads back as. */
  const readQ8 = (entry: unknown, out: TensorState, i: number) => {
    const field = `state[${i}].q8`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      fail(`${field} must be an object, got ${JSON.stringify(entry)}`);
    const q8: Partial<Record<StateName, Quantized>> = {};
    for (const [name, where] of Object.entries(entry as Record<string, unknown>)) {
      const at = `${field}.${name}`;
      if (typeof where !== 'object' || where === null)
        fail(`${at} must be { codes, absmax }, got ${JSON.stringify(where)}`);
      const { codes: codesAt, absmax: absmaxAt } = where as Record<string, unknown>;
      const [offset, n] = check(codesAt, dataBytes, `${at}.codes`, 'bytes');
      const absmax = readFloats(absmaxAt, `${at}.absmax`);
      if (absmax.length !== q8Blocks(n))
        fail(`${at}.absmax holds ${absmax.length} blocks, but ${n} codes need ${q8Blocks(n)}`);
      if (out[name as StateName] !== undefined)
        fail(`state[${i}].${name} is stored both as f32 and as 8-bit codes`);
      const q = { codes: new Uint8Array(buffer, dataStart + offset, n).slice(), absmax };
      q8[name as StateName] = q;
      out[name as StateName] = dequantize(q, q8Signed(name as StateName));
    }
    out.q8 = q8;
  };

  const state: TensorState[] = header.state.map((s, i) => {
    const out: TensorState = { step: s.step };
    if (s.mu_product !== undefined) out.mu_product = s.mu_product;
    for (const [name, range] of Object.entries(s.arrays ?? {}) as [StateName, Range][]) {
      out[name] = readFloats(range, `state[${i}].${name}`);
    }
    if (s.q8 !== undefined) readQ8(s.q8, out, i);
    return out;
  });
  return { ...header, state };
}
