import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runAction } from '@etcd-dr/actions-test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const execFileAsync = promisify(execFile);
const actionsDirectory = fileURLToPath(new URL('../../', import.meta.url));
// restore-drill's sandbox mode spawns the lab's supervisor and installs its gkectl from beside index.js.
const bundleFiles = {
  backup: ['index.js'],
  'restore-drill': ['gkectl.js', 'index.js', 'supervisor.js'],
} as const;
const actions = Object.keys(bundleFiles) as (keyof typeof bundleFiles)[];

/** The input names a source folder reads: the literal names given to the input readers. */
async function inputsReadBy(directories: string[]): Promise<Set<string>> {
  const names = new Set<string>();
  for (const directory of directories) {
    for (const file of await readdir(directory)) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      const text = await readFile(join(directory, file), 'utf8');
      for (const match of text.matchAll(
        /(?:optional|boolean|integer|choice|multiline)Input\(getInput, '([^']+)'/g,
      )) {
        names.add(match[1]!);
      }
    }
  }
  return names;
}

// dist/ is not committed (see the README, "GitHub Actions"): `npm test` builds it from the source first, so these
// tests always run the bundle of the current source. They check what a committed bundle would have to be.
describe('the action bundles', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'etcd-dr-bundles-'));
  });
  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  for (const action of actions) {
    it(`${action}: dist/ holds ${bundleFiles[action].join(', ')}, which run with no node_modules in reach, and action.yml matches the code`, async () => {
      const dist = join(actionsDirectory, action, 'dist');
      expect((await readdir(dist)).sort()).toEqual([...bundleFiles[action]]);
      const alone = await mkdtemp(join(base, `${action}-`));
      for (const file of bundleFiles[action]) await copyFile(join(dist, file), join(alone, file));
      const result = await runAction({ entry: join(alone, 'index.js'), inputs: {}, workspace: alone });
      try {
        expect(result.stderr).toBe('');
        expect(result.exitCode).toBe(1);
        expect(result.stdout).toMatch(
          /^::error::ACTION_INPUT_INVALID: input config: no (test )?cluster is described/m,
        );
      } finally {
        await result.remove();
      }
      if (action === 'restore-drill') {
        // The lab's programs start alone too: gkectl prints its usage, the supervisor refuses bad options.
        const gkectl = await execFileAsync(process.execPath, [join(alone, 'gkectl.js'), '--help']);
        expect(gkectl.stdout).toMatch(/^gkectl is the command line tool/);
        const supervisor = await execFileAsync(process.execPath, [
          join(alone, 'supervisor.js'),
          '--options',
          '{"topology":"none"}',
        ]).catch((error: { stderr: string; code: number }) => error);
        expect(supervisor.stderr).not.toMatch(/Cannot find (module|package)/);
        expect(supervisor.stderr).toMatch(/topology/);
      }

      const manifest = parse(await readFile(join(actionsDirectory, action, 'action.yml'), 'utf8')) as {
        runs: { using: string; main: string };
        inputs: Record<string, unknown>;
      };
      expect(manifest.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
      const read = await inputsReadBy([
        join(actionsDirectory, action, 'src'),
        join(actionsDirectory, 'shared', 'src'),
      ]);
      for (const name of read) {
        expect(Object.keys(manifest.inputs), `input ${name} is read but not declared`).toContain(name);
      }
      for (const name of Object.keys(manifest.inputs)) {
        expect([...read], `input ${name} is declared but never read`).toContain(name);
      }
    });
  }
});
