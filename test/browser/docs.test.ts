/**
 * The GPU examples that open docs pages (examples/*.ts, shown verbatim there: see
 * test/node/docs.test.ts), run on a real device with hand-derived expectations.
 */
import { expect, it } from 'vitest';
import { describeGpu, useTestPage } from './harness.ts';

describeGpu('docs examples on the GPU', () => {
  const testPage = useTestPage();

  it('docs/api.md: examples/arena.ts', async () => {
    const r = await testPage().run('runArena');
    // Two param groups in one arena buffer: one update dispatch per group.
    expect(r.dispatches).toBe(2);
    // Global norm over every gradient: √(3² + 4² + 12²) = 13, reported before clipping.
    expect(r.norm).toBeCloseTo(13, 5);
    // AdamW's first step: p·(1 − lr·wd) with lr = 0.01, wd = 0.01 (factor 0.9999), then, with
    // m̂ = g and v̂ = g² after bias correction, p −= lr·g / (|g| + ε) = 0.01·sign(g) where the
    // (clipped, still non-zero) gradient is non-zero. The bias group has wd 0 and zero grads.
    const expected = [
      [1 * 0.9999 - 0.01, 2 * 0.9999 - 0.01, 3 * 0.9999, 4 * 0.9999, 5 * 0.9999, 6 * 0.9999],
      [2 * 0.9999 - 0.01],
      [0.5, 0.5, 0.5],
    ];
    expect(r.params.map((t) => t.length)).toEqual([6, 1, 3]);
    r.params.forEach((tensor, i) =>
      tensor.forEach((v, j) =>
        expect(v, `tensor ${i}[${j}]`).toBeCloseTo(expected[i]?.[j] ?? NaN, 5),
      ),
    );
    expect(r.params[2]).toEqual([0.5, 0.5, 0.5]); // untouched, exactly
  });

  it('docs/how-it-works.md: examples/dispatchPaths.ts', async () => {
    // Per tensor, each length is a multiple of 4 (vec4 body only) or below 4 (scalars only),
    // each in its own buffer at offset 0, so each takes one dispatch: 3. The arena: one group,
    // one buffer of params and one of grads at the same layout, so one dispatch for all.
    // Gathered: all three are below 65536 elements, copied into one range: one dispatch.
    expect(await testPage().run('runDispatchPaths')).toEqual({
      arena: 1,
      gathered: 1,
      perTensor: 3,
      same: true,
    });
  });

  it('docs/benchmark.md: examples/timeStep.ts', async () => {
    const parameters = 4096;
    const r = await testPage().run('runTimeStep', parameters, 3);
    expect(Number.isFinite(r.msPerStep) && r.msPerStep > 0).toBe(true);
    expect(r.gbPerSecond).toBeCloseTo((28 * parameters) / (r.msPerStep * 1e6), 9);
  });
});
