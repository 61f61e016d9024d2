import type { BundleManifest } from '@etcd-dr/sdk';
import { describe, expect, it } from 'vitest';
import { renderBackupSummary } from './render-backup-summary.js';

const manifest = {
  formatVersion: 1,
  tool: { name: '@etcd-dr/action-backup', version: '0.1.0' },
  createdAt: '2026-11-26T14:00:00.000Z',
  cluster: { name: 'user-1', topology: 'kubeception', ha: true, members: [] },
  etcd: { version: '3.4.23' },
  snapshot: { revision: 4242, totalKeys: 917, hash: 'hashed' },
  files: [{}, {}, {}],
} as unknown as BundleManifest;

describe('renderBackupSummary', () => {
  it('renders one table with what was backed up, where it went, and warnings', () => {
    const text = renderBackupSummary({
      manifest,
      artifact: { id: 7, name: 'user-1-20261126T140000Z.tar' },
      digest: 'sha256:abc',
      size: 3 * 1024 * 1024,
      recipients: 2,
      retentionDays: 10,
      durationMs: 12_345,
      warnings: ['retention | capped'],
    });
    expect(text).toContain('## etcd-dr backup of user-1\n');
    expect(text).toContain('| Cluster | user-1 (kubeception, HA) |');
    expect(text).toContain('| Revision | 4242 |');
    expect(text).toContain('| Bundle | 3.0 MiB, 3 files |');
    expect(text).toContain('| Encrypted | yes (age, 2 recipients) |');
    expect(text).toContain('| Artifact | `user-1-20261126T140000Z.tar` (id 7) |');
    expect(text).toContain('| Retention | 10 days |');
    expect(text).toContain('| Duration | 12.3 s |');
    expect(text).toContain('- retention \\| capped');
  });

  it('says loudly when the bundle is not encrypted', () => {
    const text = renderBackupSummary({
      manifest,
      artifact: { id: 1, name: 'a.tar' },
      digest: 'sha256:0',
      size: 10,
      recipients: 0,
      durationMs: 1,
      warnings: [],
    });
    expect(text).toContain('| Encrypted | **no** (allow-unencrypted: true) |');
    expect(text).toContain("| Retention | repository's default |");
    expect(text).not.toContain('Warnings');
  });
});
