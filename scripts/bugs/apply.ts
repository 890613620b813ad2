import type { Bug } from './catalogue.ts';

/**
 * `text` (the contents of `file`) with every edit of `bug` for that file applied. Throws when
 * an edit's `find` does not occur exactly once, or the edit changes nothing: the catalogue
 * must keep describing the code as it is.
 */
export function applyBug(bug: Bug, file: string, text: string): string {
  let out = text;
  for (const e of bug.edits.filter((x) => x.file === file)) {
    const at = out.indexOf(e.find);
    if (at < 0) throw new Error(`${bug.id}: ${file} no longer contains ${JSON.stringify(e.find)}`);
    if (out.indexOf(e.find, at + 1) >= 0)
      throw new Error(`${bug.id}: ${file} contains ${JSON.stringify(e.find)} more than once`);
    if (e.find === e.replace) throw new Error(`${bug.id}: an edit of ${file} changes nothing`);
    out = out.slice(0, at) + e.replace + out.slice(at + e.find.length);
  }
  return out;
}
