import { chmod, mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** A private folder (0700) for secret files (0600). */
export interface SecretDirectory {
  path: string;
  /** Creates `name` (it must not exist) with mode 0600 and writes `content`; returns its path. */
  write(name: string, content: string): Promise<string>;
  /** Deletes the folder and everything in it. */
  remove(): Promise<void>;
}

/** Options of {@link createSecretDirectory}. */
export interface CreateSecretDirectoryOptions {
  /** Where the folder is made; `RUNNER_TEMP` on a runner. */
  temporaryDirectory: string;
  /** Prefix of the folder's name. */
  prefix: string;
}

/** Makes a new private folder for secret files; the caller removes it when done. */
export async function createSecretDirectory(options: CreateSecretDirectoryOptions): Promise<SecretDirectory> {
  const path = await mkdtemp(join(options.temporaryDirectory, options.prefix));
  await chmod(path, 0o700);
  return {
    path,
    write: async (name, content) => {
      const file = join(path, name);
      const handle = await open(file, 'wx', 0o600);
      try {
        await handle.writeFile(content);
      } finally {
        await handle.close();
      }
      return file;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}
