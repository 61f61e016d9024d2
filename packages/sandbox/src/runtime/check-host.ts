import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { findMissingPrerequisites, hostPrerequisites } from './host-prerequisites.js';

/** Options of {@link checkHost}. */
export interface CheckHostOptions {
  /** Directories searched for the programs. Default: `$PATH` plus `/usr/sbin` and `/sbin`. */
  searchPath?: string[];
}

/**
 * Checks that this process runs as root and that every program the lab needs is installed.
 * @throws SandboxError `SANDBOX_NOT_ROOT` or `SANDBOX_PREREQUISITE_MISSING` (naming each program and the
 * `apt-get install` line that provides it).
 */
export async function checkHost(options: CheckHostOptions = {}): Promise<void> {
  const searchPath = options.searchPath ?? [
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean),
    '/usr/sbin',
    '/sbin',
  ];
  const present = new Set<string>();
  await Promise.all(
    hostPrerequisites.map(async ({ binary }) => {
      for (const directory of searchPath) {
        try {
          await access(join(directory, binary), constants.X_OK);
          present.add(binary);
          return;
        } catch {}
      }
    }),
  );
  const error = findMissingPrerequisites({ isRoot: process.getuid?.() === 0, presentBinaries: present });
  if (error) throw error;
}
