import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes a file so that a reader (or a process killed half-way) sees the old content or the new one, never a
 * mix: a temporary file beside it, fsync'd, renamed over it, then the folder fsync'd.
 */
export async function writeFileAtomic(options: {
  path: string;
  content: string;
  mode?: number;
}): Promise<void> {
  const temporary = `${options.path}.tmp-${process.pid}-${Math.random().toString(16).slice(2)}`;
  const handle = await open(temporary, 'w', options.mode ?? 0o600);
  try {
    await handle.writeFile(options.content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, options.path);
  const folder = await open(dirname(options.path), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
