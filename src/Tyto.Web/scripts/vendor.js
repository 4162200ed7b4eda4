// Copies the browser builds of the pinned front-end packages (package-lock.json) into app/vendor, where the server
// embeds them; with --verify it only checks that the committed copies are exactly those builds.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const files = {
  'preact.mjs': 'node_modules/preact/dist/preact.mjs',
  'preact-hooks.mjs': 'node_modules/preact/hooks/dist/hooks.mjs',
  'htm.mjs': 'node_modules/htm/dist/htm.mjs',
  'uPlot.esm.js': 'node_modules/uplot/dist/uPlot.esm.js',
  'uPlot.min.css': 'node_modules/uplot/dist/uPlot.min.css',
  'preact.LICENSE.txt': 'node_modules/preact/LICENSE',
  'htm.LICENSE.txt': 'node_modules/htm/LICENSE',
  'uPlot.LICENSE.txt': 'node_modules/uplot/LICENSE',
};

const verify = process.argv.includes('--verify');
const stale = [];
for (const [name, source] of Object.entries(files)) {
  const wanted = readFileSync(join(root, source));
  const target = join(root, 'app/vendor', name);
  if (verify) {
    if (!existsSync(target) || !readFileSync(target).equals(wanted)) stale.push(name);
  } else {
    writeFileSync(target, wanted);
  }
}
if (stale.length > 0) {
  console.error(`app/vendor differs from the locked packages (${stale.join(', ')}): run npm run vendor`);
  process.exit(1);
}
