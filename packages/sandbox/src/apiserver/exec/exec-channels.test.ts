import { describe, expect, it } from 'vitest';
import { chooseExecProtocol, execExitStatus, frame } from './exec-channels.js';

describe('exec channel protocol', () => {
  it('picks the newest protocol both sides speak', () => {
    expect(chooseExecProtocol(['v4.channel.k8s.io', 'v5.channel.k8s.io'])).toBe('v5.channel.k8s.io');
    expect(chooseExecProtocol(['channel.k8s.io'])).toBe('channel.k8s.io');
    expect(chooseExecProtocol(['base64.channel.k8s.io'])).toBe(false);
  });

  it('reports exit codes as the kubelet does', () => {
    expect(execExitStatus({ exitCode: 0, command: ['true'] })).toEqual({ metadata: {}, status: 'Success' });
    expect(execExitStatus({ exitCode: 2, command: ['sh', '-c', 'exit 2'] })).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '2' }] },
    });
    expect([...frame(1, 'hi')]).toEqual([1, 104, 105]);
  });
});
