import { open } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Overwrites the first 64 KiB of an etcd member's bbolt file (`DATA_DIR/member/snap/db`) with garbage, as
 * a failed disk returns. The running member keeps its database mapped; the damage shows at its next start.
 */
export async function corruptMemberData(options: { dataDir: string }): Promise<void> {
  const file = await open(join(options.dataDir, 'member', 'snap', 'db'), 'r+');
  try {
    const garbage = Buffer.alloc(64 * 1024, 0xde);
    await file.write(garbage, 0, garbage.length, 0);
    await file.sync();
  } finally {
    await file.close();
  }
}
