/**
 * npm's `prepare` hook: builds dist/ (`npm run build`). npm runs it on a plain `npm install` /
 * `npm ci` in this repo, before `npm pack` and `npm publish`, and when a consumer installs the
 * package from git (`npm i git+https://…`: npm clones it, installs its devDependencies, then
 * packs it). dist/ is not committed, so without this hook a git or folder install has no
 * entry point.
 *
 * `npm i <folder>` links the folder and runs this hook there WITHOUT installing its
 * devDependencies, so the build tools may be missing: say what to do instead of failing with
 * "vite: not found". Plain JavaScript (.mjs): tsx may not be installed either.
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const bin = join(process.cwd(), 'node_modules', '.bin');
const tools = ['vite', 'tsc', 'tsx'];
const missing = tools.filter((t) => !existsSync(join(bin, t)));
if (missing.length > 0) {
  if (existsSync(join('dist', 'index.js')) && existsSync(join('dist', 'index.d.ts'))) {
    console.warn(
      `webgpu-optim prepare: ${missing.join(', ')} not installed in ${process.cwd()}; ` +
        'keeping the dist/ that is there (run `npm install` in that folder to rebuild it).',
    );
    process.exit(0);
  }
  console.error(
    `webgpu-optim prepare: cannot build dist/ in ${process.cwd()}: the devDependencies ` +
      `(${missing.join(', ')}) are not installed. Run \`npm install\` in that folder first ` +
      '(it builds dist/), then install the folder again; or install from git or from a ' +
      'tarball (`npm pack`), which build dist/ by themselves.',
  );
  process.exit(1);
}
// The build's log goes to stderr, so that `npm pack --json` prints only its JSON on stdout.
execSync('npm run build', { stdio: ['inherit', process.stderr, 'inherit'] });
