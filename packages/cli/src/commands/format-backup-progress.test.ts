import { describe, expect, it } from 'vitest';
import { formatProgressBar, formatProgressLine } from './format-backup-progress.js';

describe('backup progress formatting', () => {
  it('prints a transfer line at each quarter only', () => {
    const state = { lastQuarter: -1 };
    const lines = [0, 100, 250, 260, 500, 999, 1000].map((bytesDone) =>
      formatProgressLine({ kind: 'transfer', bytesDone, bytesTotal: 1000 }, state),
    );
    expect(lines.filter((line) => line !== undefined)).toEqual([
      'etcd-dr: transfer 0 B of 1000 B',
      'etcd-dr: transfer 250 B of 1000 B',
      'etcd-dr: transfer 500 B of 1000 B',
      'etcd-dr: transfer 999 B of 1000 B',
      'etcd-dr: transfer 1000 B of 1000 B',
    ]);
  });

  it('prints finished steps and resumes, not started ones', () => {
    const state = { lastQuarter: -1 };
    expect(formatProgressLine({ kind: 'step', step: 'find-etcd', status: 'started' }, state)).toBeUndefined();
    expect(
      formatProgressLine({ kind: 'step', step: 'find-etcd', status: 'done', detail: 'kube-etcd-0' }, state),
    ).toBe('etcd-dr: find-etcd done (kube-etcd-0)');
    expect(
      formatProgressLine({ kind: 'resumed', offset: 1048576, attempt: 1, reason: 'connection lost' }, state),
    ).toBe('etcd-dr: transfer connection lost; resuming at byte 1048576 (attempt 1)');
  });

  it('names the file of a transfer and starts its quarters afresh', () => {
    const state = { lastQuarter: -1 };
    const lines = [
      formatProgressLine({ kind: 'transfer', file: 'snapshot.db', bytesDone: 1000, bytesTotal: 1000 }, state),
      formatProgressLine(
        { kind: 'transfer', file: 'admin/snapshot.db', bytesDone: 0, bytesTotal: 10 },
        state,
      ),
    ];
    expect(lines).toEqual([
      'etcd-dr: transfer snapshot.db 1000 B of 1000 B',
      'etcd-dr: transfer admin/snapshot.db 0 B of 10 B',
    ]);
    expect(
      formatProgressLine(
        { kind: 'step', step: 'pki', status: 'done', node: 'cp1', detail: '20480 bytes' },
        state,
      ),
    ).toBe('etcd-dr: pki cp1 done (20480 bytes)');
    expect(formatProgressBar({ bytesDone: 5, bytesTotal: 10, width: 4, file: 'snapshot.db' })).toBe(
      'transfer snapshot.db [##  ] 50% 5 B/10 B',
    );
  });

  it('draws a bar and human sizes', () => {
    expect(formatProgressBar({ bytesDone: 512, bytesTotal: 1024, width: 10 })).toBe(
      'transfer [#####     ] 50% 512 B/1.0 KiB',
    );
  });
});
