import { describe, expect, it } from 'vitest';
import { formatBytes } from './format-bytes.js';

describe('formatBytes', () => {
  it('prints bytes below 1 KiB as is and larger sizes in binary units with one decimal', () => {
    expect([0, 512, 1023].map((bytes) => formatBytes(bytes))).toEqual(['0 B', '512 B', '1023 B']);
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
    expect(formatBytes(2 * 1024 ** 5)).toBe('2048.0 TiB');
  });
});
