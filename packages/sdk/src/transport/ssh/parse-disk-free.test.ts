import { describe, expect, it } from 'vitest';
import { parseDiskFree } from './parse-disk-free.js';

describe('parseDiskFree', () => {
  it('reads df -Pk output in bytes, mount points with spaces included', () => {
    const output =
      'Filesystem     1024-blocks    Used Available Capacity Mounted on\n/dev/sda1         10000000 4000000   6000000      40% /var/lib/my disk\n';
    expect(parseDiskFree({ path: '/var/lib/my disk/etcd', output })).toEqual({
      path: '/var/lib/my disk/etcd',
      mountPoint: '/var/lib/my disk',
      totalBytes: 10_000_000 * 1024,
      availableBytes: 6_000_000 * 1024,
    });
  });

  it('names the path when the output is not df output', () => {
    expect(() => parseDiskFree({ path: '/x', output: 'df: /x: No such file or directory\n' })).toThrow(/\/x/);
  });
});
