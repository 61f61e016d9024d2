import type { SnapshotInspection } from '@etcd-dr/sdk';
import { describe, expect, it } from 'vitest';
import { formatInspection } from './format-inspection.js';

const inspection: SnapshotInspection = {
  path: '/backups/snapshot.db',
  fileSize: 3 * 1024 * 1024 + 32,
  pageSize: 4096,
  integrity: { verdict: 'ok', sha256: 'ab'.repeat(32) },
  status: { hash: 0x0d0c0b0a, revision: 4321, totalKey: 1200, totalSize: 3 * 1024 * 1024 },
  compactedRevision: 4000,
  scheduledCompactRevision: 4000,
  consistentIndex: 5000,
  keyRevisions: 1150,
  liveKeys: 7,
  resources: [
    { resource: 'namespaces', liveKeys: 2, clusterScoped: 2, namespaces: {} },
    { resource: 'pods', liveKeys: 5, clusterScoped: 0, namespaces: { a: 1, b: 1, c: 1, d: 2 } },
  ],
  namespaces: [],
};

describe('formatInspection', () => {
  it('prints the header lines and an aligned resource table', () => {
    const text = formatInspection(inspection);
    expect(text).toContain('Snapshot     /backups/snapshot.db (3.0 MiB, bbolt page size 4096)\n');
    expect(text).toContain(`Integrity    ok: trailing SHA-256 matches (${'ab'.repeat(32)})\n`);
    expect(text).toContain('Revision     4321 (the latest revision stored), compacted at 4000\n');
    expect(text).toContain('Status hash  0d0c0b0a (218893066;');
    expect(text).toContain(
      [
        'RESOURCE    LIVE KEYS  NAMESPACES',
        'namespaces          2  0  (cluster-scoped)',
        'pods                5  4  (a 1, b 1, c 1, +1 more)',
      ].join('\n'),
    );
  });

  it('says an unhashed snapshot is not corrupt and needs --skip-hash-check', () => {
    const text = formatInspection({
      ...inspection,
      integrity: { verdict: 'unhashed' },
      compactedRevision: undefined,
    });
    expect(text).toMatch(/^Integrity {4}unhashed: .*not corrupt.*--skip-hash-check$/m);
    expect(text).toContain('never compacted');
  });
});
