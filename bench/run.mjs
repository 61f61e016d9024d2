// `npm run bench [-- NAME...]`: every benchmark (or the named ones), one after the other: they compete for the
// same two cores otherwise. Each prints its own side-by-side numbers and ratios.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchInspect } from './inspect.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const scripts = ['sandbox-pki', 'sandbox-nodes', 'sandbox-up', 'sandbox-gkectl', 'age', 'backup', 'restore'];
const wanted = process.argv.slice(2);
const selected = (name) => wanted.length === 0 || wanted.includes(name);

if (selected('inspect')) await benchInspect();
for (const name of scripts) {
  if (!selected(name)) continue;
  process.stdout.write(`\n== ${name}\n`);
  const result = spawnSync(process.execPath, [join(here, `${name}.mjs`)], { stdio: 'inherit' });
  if (result.status !== 0) process.exitCode = 1;
}
