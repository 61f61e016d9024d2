import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from '../runtime/pod/bwrap-command.js';

/** Options of {@link installGkectl}. */
export interface InstallGkectlOptions {
  /** The lab folder; the wrapper goes to `DIR/bin/gkectl`. */
  dir: string;
  /** The Node.js binary the wrapper runs. Default: this process's. */
  nodePath?: string;
}

/** Where the stand-in was installed. */
export interface InstalledGkectl {
  /** `DIR/bin`, the folder to put on PATH. */
  binDirectory: string;
  /** `DIR/bin/gkectl`. */
  path: string;
}

/** The built `dist/gkectl.js`: beside this bundle in dist/, or the package's dist/ when run from src/. */
export const gkectlEntry = (() => {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, 'gkectl.js'), resolve(here, '../../dist/gkectl.js')];
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
})();

/**
 * Writes the lab's `gkectl` stand-in as `DIR/bin/gkectl`, a small shell script (mode 0755) that runs
 * `node dist/gkectl.js "$@"`, so that `export PATH=DIR/bin:$PATH` puts it where operators expect gkectl.
 */
export async function installGkectl(options: InstallGkectlOptions): Promise<InstalledGkectl> {
  const binDirectory = join(options.dir, 'bin');
  const path = join(binDirectory, 'gkectl');
  await mkdir(binDirectory, { recursive: true, mode: 0o755 });
  await writeFile(
    path,
    [
      '#!/bin/sh',
      '# etcd-dr lab stand-in for gkectl: `gkectl diagnose cluster` checks this lab for real.',
      `exec ${shellQuote(options.nodePath ?? process.execPath)} ${shellQuote(gkectlEntry)} "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  await chmod(path, 0o755);
  return { binDirectory, path };
}
