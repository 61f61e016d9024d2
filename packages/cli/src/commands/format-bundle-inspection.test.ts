import type { BundleManifest, SnapshotInspection } from '@etcd-dr/sdk';
import { describe, expect, it } from 'vitest';
import { formatBundleInspection } from './format-bundle-inspection.js';
import { type BundleInspection, compareSnapshotFacts } from './inspect-bundle.js';

const snapshot: SnapshotInspection = {
  path: '/backups/user-1.tar:snapshot.db',
  fileSize: 2 * 1024 * 1024 + 32,
  pageSize: 4096,
  integrity: { verdict: 'ok', sha256: 'ab'.repeat(32) },
  status: { hash: 0x0d0c0b0a, revision: 4321, totalKey: 1200, totalSize: 2 * 1024 * 1024 },
  compactedRevision: undefined,
  scheduledCompactRevision: undefined,
  consistentIndex: 5000,
  keyRevisions: 1150,
  liveKeys: 2,
  resources: [{ resource: 'pods', liveKeys: 2, clusterScoped: 0, namespaces: { shop: 2 } }],
  namespaces: [{ namespace: 'shop', liveKeys: 2 }],
};

const manifest: BundleManifest = {
  formatVersion: 1,
  tool: { name: 'etcd-dr', version: '0.1.0' },
  createdAt: '2026-11-26T14:00:00.000Z',
  cluster: {
    name: 'user-1',
    topology: 'controlplane-v2',
    ha: true,
    members: [
      { name: 'cp-1', peerUrl: 'https://10.0.0.5:2380', clientUrl: 'https://10.0.0.5:2379', node: 'cp-1' },
      { name: 'cp-2', peerUrl: 'https://10.0.0.6:2380' },
    ],
  },
  etcd: { version: '3.4.23' },
  snapshot: { revision: 4321, totalKeys: 1200, hash: 'hashed' },
  files: [
    {
      path: 'snapshot.db',
      role: 'snapshot',
      size: 2 * 1024 * 1024 + 32,
      sha256: 'cd'.repeat(32),
      encryption: 'none',
    },
    {
      path: 'pki/cp-1.tar.age',
      role: 'pki',
      node: 'cp-1',
      size: 900,
      sha256: 'ef'.repeat(32),
      encryption: 'age',
    },
  ],
  hostKeys: { 'cp-1': `SHA256:${'A'.repeat(43)}` },
};

const inspection: BundleInspection = {
  kind: 'bundle',
  path: '/backups/user-1.tar',
  format: 'tar',
  manifest,
  files: manifest.files.map((file) => ({ ...file, verification: 'ok' as const })),
  snapshot,
  disagreements: [],
};

describe('formatBundleInspection', () => {
  it('shows the cluster identity, the verified files and the snapshot inspection', () => {
    const text = formatBundleInspection(inspection);
    expect(text).toContain(
      'Bundle     /backups/user-1.tar (tar, format 1, written by etcd-dr 0.1.0 at 2026-11-26T14:00:00.000Z)\n',
    );
    expect(text).toContain('Cluster    user-1: controlplane-v2, HA, 2 members, etcd 3.4.23\n');
    expect(text).toContain(
      'Members    cp-1  peer https://10.0.0.5:2380  client https://10.0.0.5:2379  node cp-1\n           cp-2  peer https://10.0.0.6:2380\n',
    );
    expect(text).toContain(`Host keys  cp-1 SHA256:${'A'.repeat(43)}\n`);
    expect(text).toContain(
      [
        'FILE              ROLE      NODE  SIZE     ENCRYPTION  SHA-256',
        `snapshot.db       snapshot  -     2.0 MiB  none        ok ${'cd'.repeat(8)}…`,
        `pki/cp-1.tar.age  pki       cp-1  900 B    age         ok ${'ef'.repeat(8)}…`,
        'All 2 files match the manifest (size and SHA-256).',
      ].join('\n'),
    );
    expect(text).toContain('Snapshot     /backups/user-1.tar:snapshot.db (2.0 MiB, bbolt page size 4096)\n');
    expect(text).not.toContain('WARNING');
  });

  it('says an age-encrypted snapshot was not read, and prints disagreements as warnings', () => {
    const text = formatBundleInspection({
      ...inspection,
      snapshot: { skipped: 'encrypted', path: 'snapshot.db.age', encryption: 'age' },
      disagreements: ['manifest says revision 1, the snapshot holds 2'],
    });
    expect(text).toContain(
      'Snapshot  snapshot.db.age is encrypted with age; decrypt it to inspect its contents\n',
    );
    expect(text).toContain('WARNING: manifest says revision 1, the snapshot holds 2\n');
  });
});

describe('compareSnapshotFacts', () => {
  it('agrees when revision, total keys and hash verdict match, and names each difference', () => {
    expect(compareSnapshotFacts({ manifest, snapshot })).toEqual([]);
    expect(
      compareSnapshotFacts({
        manifest: { ...manifest, snapshot: { revision: 1, totalKeys: 2, hash: 'unhashed' } },
        snapshot,
      }),
    ).toEqual([
      'manifest says revision 1, the snapshot holds 4321',
      'manifest says 2 total keys, the snapshot holds 1200',
      'manifest says the snapshot is unhashed, it is hashed',
    ]);
  });
});
