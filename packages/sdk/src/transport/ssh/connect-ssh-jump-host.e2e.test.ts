import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshNode } from '../../cluster/cluster-config.js';
import { connectSsh } from './connect-ssh.js';
import { expectSshError } from './testing/expect-ssh-error.js';
import { freePort, startTestSshd, type TestSshd, uniqueSuffix } from './testing/start-test-sshd.js';

const run = promisify(execFile);

// The target sshd listens on the loopback of its own network namespace, which only the jump host (in the
// same namespace, reachable from here over a veth pair) can reach: a connection that works went through
// the jump host.
describe('connectSsh through a jump host', () => {
  const suffix = uniqueSuffix();
  const netns = `edr-jump-${suffix}`;
  const hostLink = `edrj${suffix}`;
  const nsLink = `edrk${suffix}`;
  const subnet = `10.${randomInt(200, 250)}.${randomInt(0, 255)}`;
  let jump: TestSshd;
  let target: TestSshd;
  let jumpNode: SshNode;
  let targetNode: SshNode;

  beforeAll(async () => {
    await run('ip', ['netns', 'add', netns]);
    await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    await run('ip', ['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', nsLink]);
    await run('ip', ['link', 'set', nsLink, 'netns', netns]);
    await run('ip', ['addr', 'add', `${subnet}.1/30`, 'dev', hostLink]);
    await run('ip', ['link', 'set', hostLink, 'up']);
    await run('ip', ['-n', netns, 'addr', 'add', `${subnet}.2/30`, 'dev', nsLink]);
    await run('ip', ['-n', netns, 'link', 'set', nsLink, 'up']);
    jump = await startTestSshd({ netns, listenAddress: `${subnet}.2`, logLevel: 'DEBUG1' });
    target = await startTestSshd({ netns, listenAddress: '127.0.0.1' });
    jumpNode = {
      name: 'jump',
      address: jump.address,
      port: jump.port,
      user: 'root',
      identityFile: jump.clientKeyPath,
      hostKey: jump.hostKeyFingerprint,
    };
    targetNode = {
      name: 'cp-3',
      address: '127.0.0.1',
      port: target.port,
      user: 'root',
      identityFile: target.clientKeyPath,
    };
  });
  afterAll(async () => {
    await target?.stop();
    await jump?.stop();
    await run('ip', ['link', 'del', hostLink]).catch(() => undefined);
    await run('ip', ['netns', 'del', netns]).catch(() => undefined);
  });

  it('reaches a node only the jump host can reach, checking both host keys', async () => {
    const direct = await expectSshError(connectSsh({ node: targetNode, timeoutMs: 3000 }));
    expect(direct.code).toBe('SSH_UNREACHABLE');

    const connection = await connectSsh({ node: targetNode, jumpHost: jumpNode });
    try {
      expect(connection.hostKey).toEqual({ fingerprint: target.hostKeyFingerprint, trust: 'first-use' });
      expect(connection.jumpHostKey).toEqual({ fingerprint: jump.hostKeyFingerprint, trust: 'pinned' });
      const result = await connection.exec({ command: 'cat /proc/net/tcp | wc -l; echo done' });
      expect(result.stdout.toString()).toMatch(/done\n$/);
      expect(jump.log()).toMatch(
        new RegExp(`direct-tcpip.*127\\.0\\.0\\.1.*${target.port}|to 127\\.0\\.0\\.1 port ${target.port}`),
      );
      const big = await connection.exec({ command: 'head -c 30000000 /dev/zero | sha256sum' });
      expect(big.stdout.toString()).toMatch(/^[0-9a-f]{64} /);
    } finally {
      await connection.close();
    }
  });

  it('reports SSH_CONNECTION_LOST when the jump host drops the connection mid-command', async () => {
    const connection = await connectSsh({ node: targetNode, jumpHost: jumpNode });
    try {
      const running = connection.exec({ command: 'sleep 3; echo late' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await jump.killConnections()).toBeGreaterThan(0);
      const error = await expectSshError(running);
      expect(error.code).toBe('SSH_CONNECTION_LOST');
      expect(error.node).toBe('cp-3');
      expect(error.jumpHost).toBe('jump');
    } finally {
      await connection.close();
    }
  });

  it('names the jump host when its pinned key changed, and the node when the node key changed', async () => {
    const wrong = `SHA256:${Buffer.alloc(32, 9).toString('base64').replace(/=+$/, '')}`;
    const jumpMismatch = await expectSshError(
      connectSsh({
        node: targetNode,
        jumpHost: { ...jumpNode, hostKey: wrong },
      }),
    );
    expect(jumpMismatch.code).toBe('SSH_HOST_KEY_MISMATCH');
    expect(jumpMismatch.node).toBe('jump');
    expect(jumpMismatch.message).toContain(jump.hostKeyFingerprint);
    const nodeMismatch = await expectSshError(
      connectSsh({
        node: { ...targetNode, hostKey: wrong },
        jumpHost: jumpNode,
      }),
    );
    expect(nodeMismatch.code).toBe('SSH_HOST_KEY_MISMATCH');
    expect(nodeMismatch.node).toBe('cp-3');
    expect(nodeMismatch.jumpHost).toBe('jump');
    expect(nodeMismatch.message).toContain('through jump host jump');
  });

  it('reports a node the jump host cannot reach as SSH_UNREACHABLE naming both', async () => {
    const closed = { ...targetNode, port: await freePort() };
    const error = await expectSshError(connectSsh({ node: closed, jumpHost: jumpNode }));
    expect(error.code).toBe('SSH_UNREACHABLE');
    expect(error.node).toBe('cp-3');
    expect(error.jumpHost).toBe('jump');
    expect(error.message).toContain('jump host jump');
  });
});
