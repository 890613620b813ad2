/**
 * After `tsc` emits declarations, rewrite relative `.ts` import specifiers to `.js` so the
 * `.d.ts` files resolve for every consumer (the sources import with `.ts` suffixes).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.d.ts') ? [p] : [];
  });
}

let files = 0;
for (const file of walk('dist')) {
  const text = readFileSync(file, 'utf8');
  const out = text.replace(/(from\s+['"]\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1.js$2');
  if (out !== text) {
    writeFileSync(file, out);
    files++;
  }
}
console.log(`rewrote .ts import specifiers in ${files} declaration files`);
