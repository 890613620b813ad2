/**
 * The bug catalogue (scripts/bugs/catalogue.ts) still describes the code, and its record
 * (scripts/bugs/results.json, written by `npm run bugs`) has every bug caught by at least one
 * test. Applying the bugs and running the suite is `npm run bugs`'s job, not this test's.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyBug } from '../../scripts/bugs/apply.ts';
import { BUGS } from '../../scripts/bugs/catalogue.ts';
import resultsJson from '../../scripts/bugs/results.json' with { type: 'json' };

const results = resultsJson as { baselineTests: number; bugs: { id: string; failed: number }[] };
const root = resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(resolve(root, file), 'utf8');

describe('bug catalogue (scripts/bugs)', () => {
  it('has at least 15 bugs with distinct ids', () => {
    expect(BUGS.length).toBeGreaterThanOrEqual(15);
    expect(new Set(BUGS.map((b) => b.id)).size).toBe(BUGS.length);
  });

  it.each(BUGS.map((b) => [b.id, b] as const))('%s applies cleanly', (_, bug) => {
    for (const file of new Set(bug.edits.map((e) => e.file))) {
      const before = read(file);
      expect(applyBug(bug, file, before)).not.toBe(before);
    }
  });

  it('each bug is on both sides: a shader and the reference, or host code both share', () => {
    const shared = /^src\/(options|schedules)\//;
    for (const bug of BUGS) {
      const files = bug.edits.map((e) => e.file);
      if (files.every((f) => shared.test(f))) continue;
      const gpu = files.some((f) => f.startsWith('shaders/') || f.startsWith('src/kernels/'));
      // The 8-bit quantiser's reference side is host code the reference shares
      // (src/options/q8.ts); the kernel has its own copy in shaders/state_q8.wgsl.
      const ref = files.some((f) => f.startsWith('src/reference/') || shared.test(f));
      expect({ id: bug.id, gpu, ref }).toEqual({ id: bug.id, gpu: true, ref: true });
    }
  });

  it('applyBug rejects an edit that no longer matches, or matches twice', () => {
    const bug = { id: 'x', desc: '', edits: [{ file: 'f', find: 'a', replace: 'b' }] };
    expect(applyBug(bug, 'f', 'xay')).toBe('xby');
    expect(() => applyBug(bug, 'f', 'xy')).toThrow(/no longer contains/);
    expect(() => applyBug(bug, 'f', 'aa')).toThrow(/more than once/);
    expect(applyBug(bug, 'g', 'a')).toBe('a');
  });

  it('the record has every bug failing at least one test', () => {
    const byId = new Map(results.bugs.map((o) => [o.id, o]));
    expect(BUGS.filter((b) => !((byId.get(b.id)?.failed ?? 0) > 0)).map((b) => b.id)).toEqual([]);
    expect(results.baselineTests).toBeGreaterThan(0);
  });
});
