import { describe, expect, it } from 'vitest';
import { selectBackupArtifact } from './select-backup-artifact.js';

const at = (iso: string) => new Date(iso);
const artifacts = [
  { id: 3, name: 'user-1-20261125T000000Z.tar', size: 1, createdAt: at('2026-11-25T00:00:00Z') },
  { id: 2, name: 'user-1-20261126T000000Z.tar', size: 1, createdAt: at('2026-11-26T00:00:00Z') },
  { id: 5, name: 'user-2-20261124T000000Z.tar', size: 1, createdAt: at('2026-11-24T00:00:00Z') },
  { id: 9, name: 'drill-logs', size: 1, createdAt: at('2026-11-27T00:00:00Z') },
];

describe('selectBackupArtifact', () => {
  it('picks the newest bundle (*.tar) by creation time, optionally by prefix', () => {
    expect(selectBackupArtifact({ artifacts })?.id).toBe(2);
    expect(selectBackupArtifact({ artifacts, prefix: 'user-2-' })?.id).toBe(5);
    expect(selectBackupArtifact({ artifacts, prefix: 'user-3-' })).toBeUndefined();
  });

  it('picks the named artifact, and breaks ties on time by id', () => {
    expect(selectBackupArtifact({ artifacts, name: 'user-1-20261125T000000Z.tar' })?.id).toBe(3);
    const twins = [
      { id: 1, name: 'a.tar', size: 1 },
      { id: 4, name: 'b.tar', size: 1 },
    ];
    expect(selectBackupArtifact({ artifacts: twins })?.id).toBe(4);
  });
});
