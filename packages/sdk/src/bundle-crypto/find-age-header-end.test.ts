import { describe, expect, it } from 'vitest';
import { findAgeHeaderEnd } from './find-age-header-end.js';

const header =
  'age-encryption.org/v1\n-> X25519 c2VjcmV0\nYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo\n--- bWFjbWFjbWFj\n';

describe('findAgeHeaderEnd', () => {
  it('ends the header after the newline of the --- MAC line, whatever follows', () => {
    const bytes = Buffer.concat([Buffer.from(header), Buffer.from('\n--- binary payload\n')]);
    expect(findAgeHeaderEnd({ bytes })).toBe(header.length);
  });

  it('returns -1 until the MAC line is complete', () => {
    expect(findAgeHeaderEnd({ bytes: Buffer.from(header.slice(0, -1)) })).toBe(-1);
    expect(findAgeHeaderEnd({ bytes: Buffer.from(header.slice(0, header.indexOf('---') + 2)) })).toBe(-1);
  });

  it('does not take a stanza line containing --- for the MAC line', () => {
    const tricky = 'age-encryption.org/v1\n-> x --- y\nYQ\n--- bWFj\n';
    expect(findAgeHeaderEnd({ bytes: Buffer.from(tricky) })).toBe(tricky.length);
  });

  it('finds a MAC line split across reads at any point when searching from where the last read ended', () => {
    for (let split = 0; split < header.length; split += 1) {
      expect(findAgeHeaderEnd({ bytes: Buffer.from(header.slice(0, split)) })).toBe(-1);
      expect(findAgeHeaderEnd({ bytes: Buffer.from(header), from: split })).toBe(header.length);
    }
  });
});
