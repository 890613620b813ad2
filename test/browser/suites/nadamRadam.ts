/**
 * NAdam and RAdam on the GPU beyond the option table: two param groups with their own betas,
 * momentumDecay and weight decay in one ParamArena (one dispatch per group), lr changed
 * mid-run, with and without a GradScaler that skips a poisoned step; the params, the state
 * arrays and NAdam's mu_product must equal the CPU reference's bitwise after every step.
 */
import { GradScaler, ParamArena } from '../../../src/index.ts';
import { GradScalerReference } from '../../../src/reference/index.ts';
import type { Algorithm } from '../../../src/options/types.ts';
import { randomArray, readViews, rng, trackedDevice } from './device.ts';
import { makeOptimizer, makeReference } from './optimizers.ts';

export interface GroupsResult {
  desc: string;
  /** Param, state and mu_product elements that differ bitwise from the reference, summed over steps. */
  mismatches: number;
  /** Update dispatches of the last step (one per group on an arena). */
  dispatches: number;
  /** NAdam: the final mu_product per tensor, GPU then reference. */
  muProduct: [number | undefined, number | undefined][];
  stepCounts: number[];
  errors: string[];
}

const LENGTHS = [5, 256, 1023, 4097];
const STEPS = 8;
const POISONED = 2;

const CONFIGS: {
  desc: string;
  algorithm: Algorithm;
  groups: object[];
  scaler: boolean;
  /** Load a state dict whose step counts are this (the scaler's prepare then takes t > 256). */
  startAt?: number;
}[] = [
  {
    desc: 'nadam: groups with their own betas, momentumDecay, decoupled decay',
    algorithm: 'nadam',
    groups: [
      { lr: 0.01 },
      { betas: [0.8, 0.99], momentumDecay: 0.1, weightDecay: 0.05, decoupledWeightDecay: true },
    ],
    scaler: false,
  },
  {
    desc: 'nadam with a GradScaler and a skipped step',
    algorithm: 'nadam',
    groups: [{ lr: 0.01 }, { betas: [0.8, 0.99], momentumDecay: 0.1, maximize: true }],
    scaler: true,
  },
  {
    desc: 'radam: groups on either side of the rectification switch',
    algorithm: 'radam',
    groups: [{ lr: 0.01 }, { betas: [0.9, 0.9], weightDecay: 0.05 }],
    scaler: false,
  },
  {
    desc: 'radam with a GradScaler and a skipped step',
    algorithm: 'radam',
    groups: [{ lr: 0.01, decoupledWeightDecay: true, weightDecay: 0.1 }, { betas: [0.9, 0.9] }],
    scaler: true,
  },
  {
    desc: 'radam with a GradScaler from step 300 (rho_t from the closed form)',
    algorithm: 'radam',
    groups: [{ lr: 0.01 }, { betas: [0.9, 0.9999] }],
    scaler: true,
    startAt: 300,
  },
  {
    desc: 'nadam with a GradScaler from step 300',
    algorithm: 'nadam',
    groups: [{ lr: 0.01 }, { momentumDecay: 0.1 }],
    scaler: true,
    startAt: 300,
  },
];

function bitsDiffer(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let n = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) n++;
  return n;
}

export async function nadamRadamGroups(): Promise<GroupsResult[]> {
  const out: GroupsResult[] = [];
  for (const [k, c] of CONFIGS.entries()) {
    const { device } = await trackedDevice();
    const errors: string[] = [];
    device.pushErrorScope('validation');
    const next = rng(77 + k);
    const arena = new ParamArena(device, LENGTHS, { label: 'test/nadam-radam' });
    const initial = LENGTHS.map((n) => randomArray(next, n));
    arena.params.forEach((p, i) =>
      device.queue.writeBuffer(p.buffer, p.offset ?? 0, initial[i] as Float32Array<ArrayBuffer>),
    );
    const gpuScaler = c.scaler ? new GradScaler(device, { initScale: 256 }) : undefined;
    const refScaler = c.scaler ? new GradScalerReference({ initScale: 256 }) : undefined;
    const split = (views: unknown[]) =>
      c.groups.map((g, gi) => ({ ...g, params: views.slice(2 * gi, 2 * gi + 2) }));
    const opt = makeOptimizer(c.algorithm, device, split(arena.params) as never, {
      onError: (e) => errors.push(e.message),
      ...(gpuScaler ? { gradScaler: gpuScaler } : {}),
    });
    const refParams = initial.map((a) => new Float32Array(a));
    const ref = makeReference(c.algorithm, split(refParams) as never, {
      ...(refScaler ? { gradScaler: refScaler } : {}),
    });
    if (c.startAt !== undefined) {
      const dict = ref.stateDict();
      for (const st of dict.state) {
        st.step = c.startAt;
        if (st.mu_product !== undefined) st.mu_product = Math.fround(1e-30);
      }
      ref.loadStateDict(dict);
      opt.loadStateDict(dict);
    }
    let mismatches = 0;
    for (let s = 0; s < STEPS; s++) {
      if (s === 4) for (const g of [opt.paramGroups[1], ref.paramGroups[1]]) if (g) g.lr = 0.05;
      const scale = refScaler?.scale ?? 1;
      const grads = LENGTHS.map((n) => randomArray(next, n).map((x) => x * scale));
      if (c.scaler && s === POISONED) (grads[3] as Float32Array)[4000] = Infinity;
      arena.grads.forEach((g, i) =>
        device.queue.writeBuffer(g.buffer, g.offset ?? 0, grads[i] as Float32Array<ArrayBuffer>),
      );
      opt.step(arena.grads);
      ref.step(grads);
      const gpu = await readViews(device, arena.params as never);
      gpu.forEach((p, i) => (mismatches += bitsDiffer(p, refParams[i] as Float32Array)));
    }
    const [gd, rd] = [await opt.stateDict(), ref.stateDict()];
    const muProduct: GroupsResult['muProduct'] = [];
    gd.state.forEach((s, i) => {
      const r = rd.state[i];
      for (const name of ['exp_avg', 'exp_avg_sq'] as const) {
        mismatches += bitsDiffer(s[name] as Float32Array, r?.[name] as Float32Array);
      }
      if (!Object.is(s.mu_product, r?.mu_product)) mismatches++;
      muProduct.push([s.mu_product, r?.mu_product]);
    });
    out.push({
      desc: c.desc,
      mismatches,
      dispatches: opt.lastStepDispatches,
      muProduct,
      stepCounts: gd.state.map((s) => s.step),
      errors,
    });
    await opt.checkErrors().catch((e: unknown) => errors.push(String(e)));
    opt.destroy();
    gpuScaler?.destroy();
    arena.destroy();
    const scoped = await device.popErrorScope();
    if (scoped) errors.push(`validation: ${scoped.message}`);
  }
  return out;
}
