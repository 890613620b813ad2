/**
 * The model's starting point, shared by every optimizer: PyTorch's nn.Linear(3, 1)
 * initialisation (weight and bias uniform in ±1/√3), drawn from a seeded generator so that
 * the run can be replayed anywhere.
 */

/** mulberry32: a small 32-bit generator; returns floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of the committed run. */
export const INIT_SEED = 8;

/** Weights (3) and bias, each uniform in [−1/√3, 1/√3), rounded to f32. */
export function initialParams(seed = INIT_SEED): { weight: number[]; bias: number } {
  const rand = mulberry32(seed);
  const bound = 1 / Math.sqrt(3);
  const draw = () => Math.fround((2 * rand() - 1) * bound);
  const weight = [draw(), draw(), draw()];
  return { weight, bias: draw() };
}
