import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAction } from '@etcd-dr/actions-test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const actionsDirectory = fileURLToPath(new URL('../../', import.meta.url));
const actions = ['backup', 'restore-drill'] as const;

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
    it(`${action}: dist/ is one file that runs with no node_modules in reach, and action.yml matches the code`, async () => {
      const dist = join(actionsDirectory, action, 'dist');
      expect(await readdir(dist)).toEqual(['index.js']);
      const alone = await mkdtemp(join(base, `${action}-`));
      await copyFile(join(dist, 'index.js'), join(alone, 'index.js'));
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
