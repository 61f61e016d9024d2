import { describe, expect, it } from 'vitest';
import { createRuntimeToken, verifyRuntimeToken } from './create-runtime-token.js';

describe('runtime tokens', () => {
  it('carries the Actions.Results scope that @actions/artifact reads, signed', () => {
    const token = createRuntimeToken({ runBackendId: 'run-1', jobBackendId: 'job-1', secret: 's' });
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
      scp: string;
    };
    expect(claims.scp.split(' ')).toContain('Actions.Results:run-1:job-1');
    expect(verifyRuntimeToken({ token, secret: 's' })).toEqual({
      runBackendId: 'run-1',
      jobBackendId: 'job-1',
    });
    expect(verifyRuntimeToken({ token, secret: 'other' })).toBeUndefined();
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ scp: 'Actions.Results:run-2:job-1' })).toString('base64url');
    expect(verifyRuntimeToken({ token: `${header}.${forged}.${signature}`, secret: 's' })).toBeUndefined();
    const expired = createRuntimeToken({
      runBackendId: 'r',
      jobBackendId: 'j',
      secret: 's',
      expiresInSeconds: -1,
    });
    expect(verifyRuntimeToken({ token: expired, secret: 's' })).toBeUndefined();
  });
});
