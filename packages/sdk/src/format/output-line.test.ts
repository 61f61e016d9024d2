import { describe, expect, it } from 'vitest';
import { firstLine, lastLine } from './output-line.js';

describe('firstLine and lastLine', () => {
  it('quote one line of a multi-line output, trimmed', () => {
    const stderr = '  Error: context deadline exceeded  \nsecond\n  exit status 5 \n\n';
    expect(firstLine(stderr)).toBe('Error: context deadline exceeded');
    expect(lastLine(stderr)).toBe('exit status 5');
  });

  it('say there was no output rather than quote nothing', () => {
    for (const text of ['', '  \n\n ']) {
      expect(firstLine(text)).toBe('(no output)');
      expect(lastLine(text)).toBe('(no output)');
    }
  });
});
