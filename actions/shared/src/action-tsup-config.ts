import { readdir, rm } from 'node:fs/promises';
import type { Options } from 'tsup';

/** Options of {@link actionTsupConfig}. */
export interface ActionTsupConfigOptions {
  /**
   * More self-contained files beside `dist/index.js`, by output name (`supervisor` gives `dist/supervisor.js`):
   * programs the action spawns from its own folder. Default none.
   */
  extraEntries?: Record<string, string>;
}

/**
 * The tsup options both actions build with: one self-contained ESM file for the runner (plus any
 * `extraEntries`, each self-contained too), every dependency inside (the @actions packages are ESM only, which
 * ncc cannot bundle), and `require`, `__filename`, `__dirname` for the CommonJS dependencies that esbuild
 * wraps. ssh2's optional native addons (sshcrypto.node, cpu-features) and ws's (bufferutil, which the lab's API
 * server uses to unmask) stay out: their `require` fails inside a try and the library falls back to its
 * JavaScript code, so the files run on any runner whatever its Node ABI.
 */
export function actionTsupConfig(options: ActionTsupConfigOptions = {}): Options {
  return {
    entry: { index: 'src/index.ts', ...options.extraEntries },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    noExternal: [/.*/],
    splitting: false,
    sourcemap: false,
    clean: true,
    banner: {
      js: [
        "import { createRequire as __etcdDrCreateRequire } from 'node:module';",
        "import { fileURLToPath as __etcdDrFileURLToPath } from 'node:url';",
        'const require = __etcdDrCreateRequire(import.meta.url);',
        'const __filename = __etcdDrFileURLToPath(import.meta.url);',
        "const __dirname = __etcdDrFileURLToPath(new URL('.', import.meta.url));",
      ].join('\n'),
    },
    esbuildOptions(options) {
      options.external = [...(options.external ?? []), 'cpu-features', 'bufferutil'];
    },
    // tsup copies sshcrypto.node (built for this machine's Node ABI) beside the bundle and requires it inside
    // a try; without the copy ssh2 takes its JavaScript path, and dist/ holds only the entries.
    async onSuccess() {
      for (const name of await readdir('dist')) if (name.endsWith('.node')) await rm(`dist/${name}`);
    },
  };
}
