import { describe, expect, it } from 'vitest';
import { maskSecret } from './mask-secret.js';

describe('maskSecret', () => {
  it('masks the whole value, long field values and long bare lines, not short words', () => {
    const masked: string[] = [];
    const value = [
      'apiVersion: v1',
      'kind: Config',
      'users:',
      '  - name: admin',
      '    user:',
      '      client-key-data: "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t"',
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ',
    ].join('\n');
    maskSecret({ value, setSecret: (secret) => masked.push(secret) });
    expect(masked).toEqual([
      value,
      'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t',
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ',
    ]);
  });
});
