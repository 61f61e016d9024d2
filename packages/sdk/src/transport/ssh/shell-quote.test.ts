import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from './shell-quote.js';

describe('shellQuote', () => {
  it('round-trips awkward arguments through a real sh', () => {
    for (const value of [
      '/etc/kubernetes/pki',
      "it's",
      'a b',
      '$(rm -rf /)',
      '`x`',
      'semi;colon',
      '',
      '-n',
    ]) {
      const echoed = execFileSync('sh', ['-c', `printf %s ${shellQuote(value)}`]).toString();
      expect(echoed).toBe(value);
    }
  });

  it('leaves plain paths readable', () => {
    expect(shellQuote('/var/lib/etcd/member/snap/db')).toBe('/var/lib/etcd/member/snap/db');
  });
});
