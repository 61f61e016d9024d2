import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterConfig } from '../cluster/cluster-config.js';
import { expectSshError } from '../transport/ssh/testing/expect-ssh-error.js';
import { startTestSshd, type TestSshd } from '../transport/ssh/testing/start-test-sshd.js';
import { connectConfigNode } from './connect-config-node.js';
import type { RestoreError } from './restore-error.js';

const otherKey = `SHA256:${Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '')}`;

describe('connectConfigNode (real sshd)', () => {
  let sshd: TestSshd;
  let config: ClusterConfig;
  beforeAll(async () => {
    sshd = await startTestSshd();
    config = {
      apiVersion: 'etcd-dr/v1',
      kind: 'ClusterConfig',
      adminCluster: { kubeconfig: '/unused/admin.kubeconfig' },
      userCluster: {
        name: 'user-1',
        kubeconfig: '/unused/user.kubeconfig',
        topology: 'controlplane-v2',
        controlPlaneNodes: [
          {
            name: 'cp-1',
            address: sshd.address,
            port: sshd.port,
            user: 'root',
            identityFile: sshd.clientKeyPath,
          },
        ],
      },
    };
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('checks the host key the backup recorded when the config pins none, and refuses a changed one', async () => {
    const recorded = await connectConfigNode({
      config,
      nodeName: 'cp-1',
      recordedHostKeys: { 'cp-1': sshd.hostKeyFingerprint },
    });
    expect((await recorded.exec({ command: 'echo ok' })).stdout.toString()).toBe('ok\n');
    await recorded.close();

    const changed = await expectSshError(
      connectConfigNode({ config, nodeName: 'cp-1', recordedHostKeys: { 'cp-1': otherKey } }),
    );
    expect(changed.code).toBe('SSH_HOST_KEY_MISMATCH');
    expect(changed.message).toContain(otherKey);
  });

  it('lets the key pinned in the config win over the recorded one', async () => {
    const pinned = structuredClone(config);
    pinned.userCluster.controlPlaneNodes[0]!.hostKey = sshd.hostKeyFingerprint;
    const connection = await connectConfigNode({
      config: pinned,
      nodeName: 'cp-1',
      recordedHostKeys: { 'cp-1': otherKey },
    });
    await connection.close();
  });

  it('names a node the config does not list', async () => {
    await expect(connectConfigNode({ config, nodeName: 'cp-9' })).rejects.toSatisfy(
      (error: RestoreError) => error.code === 'RESTORE_OBJECT_NOT_FOUND' && error.message.includes('cp-9'),
    );
  });
});
