import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** Options of {@link findExecutable}. */
export interface FindExecutableOptions {
  /** A bare command name, e.g. `gkectl`. */
  name: string;
  /** The search path, `:`-separated. Default `process.env.PATH`. */
  path?: string;
}

/** The first executable file called `name` in the search path, or undefined when there is none. */
export async function findExecutable(options: FindExecutableOptions): Promise<string | undefined> {
  const folders = (options.path ?? process.env.PATH ?? '').split(delimiter).filter((folder) => folder !== '');
  for (const folder of folders) {
    const candidate = join(folder, options.name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; keep looking.
    }
  }
  return undefined;
}
