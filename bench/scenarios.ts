/**
 * Benchmark scenarios: tensor shapes only (values are random). Written out here so anyone can
 * see what "model" means.
 */

export interface Tensor {
  name: string;
  length: number;
}

export interface Scenario {
  name: 'big' | 'model' | 'tiny';
  description: string;
  tensors: Tensor[];
}

/**
 * One tensor of 2^`log2` parameters: pure bandwidth. 2^24 unless the planner shrinks it to fit
 * the run's time budget (plan.ts).
 */
export function big(log2 = 24): Scenario {
  return {
    name: 'big',
    description: `one tensor of 2^${log2} parameters`,
    tensors: [{ name: 'w', length: 2 ** log2 }],
  };
}

/**
 * The parameter shapes of a small GPT-style transformer: vocabulary 4096, width 256, context
 * 256, 6 layers with separate q/k/v projections, MLP ratio 4, an untied LM head. 101 tensors,
 * 6 901 760 parameters: 2·4096·256 + 256·256 + 6·789 760 + 512.
 */
export function model(): Scenario {
  const vocab = 4096;
  const d = 256;
  const ctx = 256;
  const layers = 6;
  const t: Tensor[] = [
    { name: 'tok_emb', length: vocab * d },
    { name: 'pos_emb', length: ctx * d },
  ];
  for (let l = 0; l < layers; l++) {
    const p = `h${l}`;
    t.push(
      { name: `${p}.ln1.w`, length: d },
      { name: `${p}.ln1.b`, length: d },
      { name: `${p}.attn.q.w`, length: d * d },
      { name: `${p}.attn.q.b`, length: d },
      { name: `${p}.attn.k.w`, length: d * d },
      { name: `${p}.attn.k.b`, length: d },
      { name: `${p}.attn.v.w`, length: d * d },
      { name: `${p}.attn.v.b`, length: d },
      { name: `${p}.attn.out.w`, length: d * d },
      { name: `${p}.attn.out.b`, length: d },
      { name: `${p}.ln2.w`, length: d },
      { name: `${p}.ln2.b`, length: d },
      { name: `${p}.mlp.fc.w`, length: d * 4 * d },
      { name: `${p}.mlp.fc.b`, length: 4 * d },
      { name: `${p}.mlp.proj.w`, length: 4 * d * d },
      { name: `${p}.mlp.proj.b`, length: d },
    );
  }
  t.push(
    { name: 'ln_f.w', length: d },
    { name: 'ln_f.b', length: d },
    { name: 'lm_head', length: vocab * d },
  );
  return { name: 'model', description: `small transformer: ${t.length} tensors`, tensors: t };
}

/** Tensors in the tiny scenario. */
export const TINY_TENSORS = 500;

/** `count` tensors of 64–4096 elements (seeded): dispatch-bound. */
export function tiny(count = TINY_TENSORS): Scenario {
  let s = 7;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const tensors = Array.from({ length: count }, (_, i) => ({
    name: `t${i}`,
    length: 64 + Math.floor(next() * (4096 - 64 + 1)),
  }));
  return { name: 'tiny', description: `${count} tensors of 64–4096 elements`, tensors };
}

/** A scenario by name; `bigLog2` sizes big, `tinyCount` sizes tiny. */
export function scenario(
  name: Scenario['name'],
  sizes: { bigLog2?: number; tinyCount?: number } = {},
): Scenario {
  return name === 'big' ? big(sizes.bigLog2) : name === 'model' ? model() : tiny(sizes.tinyCount);
}

export function parameterCount(s: Scenario): number {
  return s.tensors.reduce((a, t) => a + t.length, 0);
}
