/**
 * What a swarm is, whichever processor steps it: every optimizer line's particles, all
 * starting from the same positions (particle 0 at the surface's shared start, the rest
 * uniform over the plotted box), stepped together. gpuSwarm.ts steps them with the package's
 * GPU optimizers and demo/gradient.wgsl; cpuSwarm.ts with webgpu-optim/reference.
 */
import type { Schedule } from 'webgpu-optim';
import type { Hyper, Line } from './lines.ts';
import type { LineLrs, Surface } from './surfaces.ts';

export interface SwarmConfig {
  surface: Surface;
  lines: readonly Line[];
  /** The lr of each line, keyed by line name. */
  lrs: LineLrs;
  hyper: Hyper;
  /** The lr schedule every line follows (an LRScheduler per optimizer). */
  schedule: Schedule;
  /** Particles per line, at least 1; particle 0 starts at `surface.start`. */
  particles: number;
  /** Seed of the random starts. */
  seed: number;
}

/** Where every particle is after a call to `advance`. */
export interface Frame {
  /** Steps taken since the swarm was made. */
  step: number;
  /** Per line: x0, y0, x1, y1, ... for every particle. */
  positions: Float32Array[];
  /** Per line: particle 0's position after each step of this call (x, y pairs). */
  path: Float32Array[];
}

export interface Swarm {
  /** 'webgpu' (the GPU optimizers) or 'cpu' (webgpu-optim/reference). */
  readonly backend: 'webgpu' | 'cpu';
  /** The positions before the first step. */
  readonly initial: Frame;
  /**
   * Per line: null, or why its optimizer rejected its options (the package's message, for
   * example Nesterov with momentum 0). Such a line is not stepped; the others run.
   */
  readonly errors: readonly (string | null)[];
  /** Takes `steps` steps on every line and reports where the particles are. */
  advance(steps: number): Promise<Frame>;
  /** Frees what the swarm made (GPU buffers and optimizers); idempotent. */
  destroy(): void;
}

/** mulberry32: a small seeded generator of floats in [0, 1). */
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

/** The starting positions: particle 0 at the shared start, the others uniform in the box. */
export function startPositions(surface: Surface, particles: number, seed: number): Float32Array {
  if (!Number.isInteger(particles) || particles < 1) {
    throw new RangeError(`particles: expected an integer >= 1, got ${particles}`);
  }
  const rand = mulberry32(seed);
  const out = new Float32Array(2 * particles);
  out[0] = surface.start[0];
  out[1] = surface.start[1];
  const [x0, x1] = surface.x;
  const [y0, y1] = surface.y;
  for (let i = 1; i < particles; i++) {
    out[2 * i] = x0 + (x1 - x0) * rand();
    out[2 * i + 1] = y0 + (y1 - y0) * rand();
  }
  return out;
}

/**
 * The mean loss (f64) over a line's particles that are still finite, and how many are not
 * (a particle that diverged to ±∞ or NaN is counted, not averaged).
 */
export function meanLoss(
  surface: Surface,
  positions: Float32Array,
): { mean: number; diverged: number } {
  let sum = 0;
  let finite = 0;
  const n = positions.length / 2;
  for (let i = 0; i < n; i++) {
    const v = surface.loss(positions[2 * i] as number, positions[2 * i + 1] as number);
    if (Number.isFinite(v)) {
      sum += v;
      finite++;
    }
  }
  return { mean: finite === 0 ? NaN : sum / finite, diverged: n - finite };
}

/** `make()`, or the message of what it threw. */
export function attempt<T>(
  make: () => T,
): { value: T; error: null } | { value: null; error: string } {
  try {
    return { value: make(), error: null };
  } catch (e) {
    return { value: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/** The lr of `line` in `config`, or a RangeError naming the line. */
export function lineLr(config: SwarmConfig, name: string): number {
  const lr = config.lrs[name];
  if (lr === undefined || !Number.isFinite(lr) || lr < 0) {
    throw new RangeError(`lr of ${name}: expected a finite number >= 0, got ${String(lr)}`);
  }
  return lr;
}
