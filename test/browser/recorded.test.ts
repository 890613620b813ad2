/**
 * Steps recorded into the caller's encoders before one submit give bitwise the result of
 * stepping one at a time (suites/recorded.ts): for every algorithm, on the arena (MULTI) path
 * and the per-tensor path, with 1, 2, 5 and 64 steps (more than the step ring's initial
 * RING_SLOTS, so it grows) in one encoder or in separate encoders submitted together; with lr
 * changed by hand or by an LRScheduler, betas changed, grads rebound between steps, a
 * GradScaler with a poisoned step, clipping, 16-bit state, and plain steps mixed in.
 */
import { expect, it } from 'vitest';
import { CLIP_CASES, FULL_CASES, type OptimizerCase } from '../cases.ts';
import { RING_SLOTS } from '../../src/optim/stepRing.ts';
import { describeGpu, useTestPage } from './harness.ts';
import type { RecordedArgs, RecordedResult } from './suites/recorded.ts';

const LENGTHS = [5, 257, 4, 1023];

/** One line per difference from the one-at-a-time run; empty when all agree bitwise. */
function failures(results: RecordedResult[], cases: readonly OptimizerCase[]): string[] {
  const out: string[] = [];
  if (results.length !== cases.length) out.push(`ran ${results.length} of ${cases.length} cases`);
  for (const r of results) {
    const m = r.mismatches;
    if (m.params + m.state + m.steps > 0) out.push(`${r.desc}: ${JSON.stringify(m)}`);
    if (r.scaler && r.scaler.plain !== r.scaler.recorded)
      out.push(`${r.desc}: scaler ${r.scaler.plain} vs ${r.scaler.recorded}`);
    if (r.errors.length > 0) out.push(`${r.desc}: ${r.errors.join('; ')}`);
  }
  return out;
}

describeGpu('steps recorded ahead of their submit', () => {
  const testPage = useTestPage();
  const run = async (args: Omit<RecordedArgs, 'seed'>, seed = 1) => {
    const results = await testPage().run('recordedRun', { ...args, seed });
    expect(failures(results, args.cases)).toEqual([]);
    return results;
  };

  it(`5 and 64 recorded steps exceed the ring's initial ${RING_SLOTS} slots (it grows)`, () => {
    expect(RING_SLOTS).toBeLessThan(5);
  });

  for (const layout of ['arena', 'separate'] as const) {
    for (const mode of ['one', 'separate'] as const) {
      it.each([1, 2, 5, 64])(
        `every algorithm, ${layout} layout, %i steps in ${mode === 'one' ? 'ONE encoder' : 'SEPARATE encoders'}, lr changed each step`,
        async (steps) => {
          await run(
            { cases: FULL_CASES, lengths: LENGTHS, layout, lr: 'hand', phases: [{ mode, steps }] },
            steps,
          );
        },
      );
    }
  }

  it('an LRScheduler stepping between recorded steps', async () => {
    for (const layout of ['arena', 'separate'] as const) {
      await run({
        cases: FULL_CASES,
        lengths: LENGTHS,
        layout,
        lr: 'scheduler',
        phases: [
          { mode: 'one', steps: 5 },
          { mode: 'separate', steps: 3 },
        ],
      });
    }
  });

  it('grads that change views between recorded steps (rebinding each step)', async () => {
    for (const layout of ['arena', 'separate'] as const) {
      await run({
        cases: FULL_CASES,
        lengths: LENGTHS,
        layout,
        rebind: true,
        lr: 'hand',
        phases: [
          { mode: 'one', steps: 5 },
          { mode: 'separate', steps: 4 },
          { mode: 'plain', steps: 2 },
          { mode: 'one', steps: 3 },
        ],
      });
    }
  });

  it('recorded steps mixed with plain steps, with and without waiting between', async () => {
    const phases = [
      { mode: 'plain', steps: 2 },
      { mode: 'one', steps: 3 },
      { mode: 'plain', steps: 1 },
      { mode: 'separate', steps: 3 },
      { mode: 'plain', steps: 2 },
      { mode: 'one', steps: 1 },
    ] as const;
    for (const yieldBetween of [false, true]) {
      await run({
        cases: FULL_CASES,
        lengths: LENGTHS,
        layout: 'arena',
        lr: 'hand',
        phases: [...phases],
        yieldBetween,
      });
    }
  });

  it('a GradScaler with poisoned steps among the recorded ones, betas changed, clipGradNorm', async () => {
    const cases: OptimizerCase[] = [
      ...FULL_CASES,
      {
        desc: 'adam(clipGradNorm 0.5, clipGradValue 0.01)',
        algorithm: 'adam',
        options: { lr: 0.01, clipGradNorm: 0.5, clipGradValue: 0.01 },
      },
    ];
    for (const layout of ['arena', 'separate'] as const) {
      const results = await run({
        cases,
        lengths: LENGTHS,
        layout,
        lr: 'hand',
        betasAt: 3,
        rebind: layout === 'arena',
        scaler: { poison: [2, 6, 7] },
        phases: [
          { mode: 'one', steps: 5 },
          { mode: 'separate', steps: 4 },
          { mode: 'plain', steps: 1 },
        ],
      });
      expect(results.every((r) => r.scaler !== null)).toBe(true);
    }
  });

  it('clipGradNorm and clipGradValue without a scaler, rebinding', async () => {
    for (const layout of ['arena', 'separate'] as const) {
      await run({
        cases: CLIP_CASES,
        lengths: LENGTHS,
        layout,
        lr: 'hand',
        rebind: true,
        phases: [
          { mode: 'one', steps: 6 },
          { mode: 'separate', steps: 3 },
        ],
      });
    }
  });

  it('16-bit state', async () => {
    for (const stateDtype of ['f16', 'bf16'] as const) {
      for (const layout of ['arena', 'separate'] as const) {
        await run({
          cases: FULL_CASES,
          lengths: LENGTHS,
          layout,
          lr: 'hand',
          stateDtype,
          phases: [
            { mode: 'one', steps: 5 },
            { mode: 'separate', steps: 3 },
          ],
        });
      }
    }
  });

  it('a steady loop that records 2 steps per submit and yields creates nothing after its first submit', async () => {
    const results = await run({
      cases: FULL_CASES,
      lengths: LENGTHS,
      layout: 'arena',
      lr: 'hand',
      yieldBetween: true,
      phases: Array.from({ length: 8 }, () => ({ mode: 'one', steps: 2 }) as const),
    });
    for (const r of results) {
      expect(r.createdAfterFirstPhase, r.desc).toEqual({
        buffers: 0,
        bindGroups: 0,
        pipelines: 0,
        shaderModules: 0,
      });
    }
  });

  it('work put on the queue before an earlier recorded step was submitted is reported; in order, never', async () => {
    const results = await testPage().run('recordedOrder');
    const late = (what: string) =>
      `Adam: ${what} was called before 1 step(s) recorded earlier into an encoder were submitted, so they run after it instead of before it and the result is not that of stepping in order; submit the encoders of recorded steps before calling ${what}`;
    expect(results).toEqual([
      {
        scenario: 'stateDict before the submit',
        outcomes: [
          'Adam: stateDict() was called before 1 step(s) recorded into an encoder were submitted, so it cannot read a consistent state; submit the encoders of recorded steps before calling stateDict()',
          'ok',
          'ok',
        ],
      },
      {
        scenario: 'plain step before the submit',
        outcomes: [late('step() without an encoder'), 'ok'],
      },
      { scenario: 'loadStateDict before the submit', outcomes: [late('loadStateDict()')] },
      {
        scenario: 'an encoder never submitted',
        outcomes: [late('step() without an encoder'), 'ok'],
      },
      { scenario: 'in order, without waiting', outcomes: ['ok', 'ok'] },
    ]);
  });
});
