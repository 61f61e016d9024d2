import { describe, expect, it } from 'vitest';
import { parseExecStatus } from './parse-exec-status.js';

describe('parseExecStatus', () => {
  it('reads success and non-zero exit codes from the V1Status the API server sends', () => {
    expect(parseExecStatus('{"metadata":{},"status":"Success"}')).toEqual({ exitCode: 0 });
    expect(
      parseExecStatus(
        JSON.stringify({
          metadata: {},
          status: 'Failure',
          message:
            'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
          reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: '3' }] },
        }),
      ),
    ).toEqual({ exitCode: 3 });
  });

  it('turns other failures and garbage into errors with the server message', () => {
    expect(
      parseExecStatus(
        '{"status":"Failure","message":"container not found (\\"etcd\\")","reason":"BadRequest"}',
      ),
    ).toEqual({ error: 'container not found ("etcd")' });
    expect(parseExecStatus('not json')).toEqual({ error: 'unreadable exec status: not json' });
  });
});
