import { describe, expect, it } from 'vitest';
import { createBackupProgressLogger } from './log-backup-progress.js';

describe('createBackupProgressLogger', () => {
  it('logs steps in one group, the transfer every 10 %, and resumes as warnings', () => {
    const lines: string[] = [];
    const log = {
      info: (message: string) => lines.push(message),
      warning: (message: string) => lines.push(`warning ${message}`),
      startGroup: (name: string) => lines.push(`group ${name}`),
      endGroup: () => lines.push('endgroup'),
    };
    const logger = createBackupProgressLogger({ log, title: 'etcd-dr backup' });
    logger.onProgress({ kind: 'step', step: 'transfer', status: 'started' });
    for (let done = 0; done <= 100; done++) {
      logger.onProgress({ kind: 'transfer', bytesDone: done * 1024, bytesTotal: 100 * 1024 });
    }
    logger.onProgress({ kind: 'resumed', offset: 5, attempt: 1, reason: 'socket closed' });
    logger.onProgress({ kind: 'step', step: 'transfer', status: 'done', detail: 'kube-etcd-0' });
    logger.close();
    logger.close();
    expect(lines[0]).toBe('group etcd-dr backup');
    expect(lines.filter((line) => line.startsWith('transfer: '))).toHaveLength(13);
    expect(lines).toContain('transfer: 50.0 KiB of 100.0 KiB (50 %)');
    expect(lines).toContain('warning transfer resumed at byte 5 (attempt 1): socket closed');
    expect(lines.at(-2)).toBe('transfer: done (kube-etcd-0)');
    expect(lines.at(-1)).toBe('endgroup');
    expect(lines.filter((line) => line === 'endgroup')).toHaveLength(1);
  });
});
