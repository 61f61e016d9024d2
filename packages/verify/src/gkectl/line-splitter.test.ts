import { describe, expect, it } from 'vitest';
import { createLineSplitter } from './line-splitter.js';

describe('createLineSplitter', () => {
  it('joins lines and UTF-8 characters split across chunks', () => {
    const splitter = createLineSplitter();
    const bytes = Buffer.from('Checking VMs TOD (availability)...SUCCESS\n✓ Reason: größe\nlast', 'utf8');
    const tick = bytes.indexOf(Buffer.from('✓')) + 1;
    const chunks = [
      bytes.subarray(0, 10),
      bytes.subarray(10, tick),
      bytes.subarray(tick, 50),
      bytes.subarray(50),
    ];
    const lines = chunks.flatMap((chunk) => splitter.push(chunk));
    expect(lines).toEqual(['Checking VMs TOD (availability)...SUCCESS', '✓ Reason: größe']);
    expect(splitter.end()).toEqual(['last']);
  });

  it('keeps carriage returns and empty lines, and ends with nothing when the stream ended on a newline', () => {
    const splitter = createLineSplitter();
    expect(splitter.push(Buffer.from('a\r\n\nb\n'))).toEqual(['a\r', '', 'b']);
    expect(splitter.end()).toEqual([]);
  });
});
