import { describe, expect, it } from 'vitest';
import { parseOutputFile } from './run-action.js';

describe('parseOutputFile', () => {
  it('reads the heredoc records @actions/core writes, multi-line values included', () => {
    const text =
      'artifact-id<<ghadelimiter_1\n12\nghadelimiter_1\nnotes<<ghadelimiter_2\na\nb\nghadelimiter_2\nempty<<ghadelimiter_3\n\nghadelimiter_3\n';
    expect(parseOutputFile(text)).toEqual({ 'artifact-id': '12', notes: 'a\nb', empty: '' });
  });
});
