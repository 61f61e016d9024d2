import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { BackupError } from './backup-error.js';
import {
  checkControlplaneV2EtcdPods,
  etcdMemberOfCommand,
  etcdPodMember,
} from './controlplane-v2-etcd-pods.js';

function pod(node: string, ready: boolean, waiting?: string): V1Pod {
  return {
    metadata: { name: `etcd-${node}` },
    spec: {
      nodeName: node,
      containers: [
        {
          name: 'etcd',
          command: [
            'etcd',
            '--advertise-client-urls=https://10.0.0.5:2379',
            '--initial-advertise-peer-urls=https://10.0.0.5:2380',
            `--name=${node}`,
          ],
        },
      ],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'etcd',
          ready,
          restartCount: 0,
          image: 'etcd',
          imageID: '',
          ...(waiting ? { state: { waiting: { reason: waiting } } } : {}),
        },
      ],
    },
  };
}

function failure(run: () => unknown): BackupError {
  try {
    run();
  } catch (error) {
    return error as BackupError;
  }
  throw new Error('did not throw');
}

const nodes = ['cp1', 'cp2', 'cp3'];

describe('checkControlplaneV2EtcdPods', () => {
  it('returns the pods in the order of the configured nodes when every member is Ready', () => {
    const pods = checkControlplaneV2EtcdPods({
      pods: [pod('cp3', true), pod('cp1', true), pod('cp2', true)],
      nodes,
      cluster: 'user cluster u',
    });
    expect(pods.map((entry) => entry.metadata?.name)).toEqual(['etcd-cp1', 'etcd-cp2', 'etcd-cp3']);
  });

  it('refuses with BACKUP_ETCD_UNHEALTHY naming each member that is not Ready and its state', () => {
    const error = failure(() =>
      checkControlplaneV2EtcdPods({
        pods: [pod('cp1', true), pod('cp2', false, 'CrashLoopBackOff'), pod('cp3', false)],
        nodes,
        cluster: 'user cluster u',
      }),
    );
    expect(error.code).toBe('BACKUP_ETCD_UNHEALTHY');
    expect(error.step).toBe('find-etcd');
    expect(error.object).toBe('pod kube-system/etcd-cp2, pod kube-system/etcd-cp3');
    expect(error.message).toBe(
      'etcd members etcd-cp2 CrashLoopBackOff, etcd-cp3 not Ready of user cluster u not healthy; a Controlplane V2 backup needs every member healthy',
    );
  });

  it('refuses with BACKUP_POD_NOT_FOUND when a configured node runs no member, or there is none', () => {
    const missing = failure(() =>
      checkControlplaneV2EtcdPods({ pods: [pod('cp1', true)], nodes, cluster: 'user cluster u' }),
    );
    expect(missing.code).toBe('BACKUP_POD_NOT_FOUND');
    expect(missing.message).toMatch(/^no etcd pod on control-plane nodes cp2, cp3 of user cluster u/);
    const none = failure(() => checkControlplaneV2EtcdPods({ pods: [], nodes, cluster: 'user cluster u' }));
    expect(none.code).toBe('BACKUP_POD_NOT_FOUND');
    expect(none.toLine()).toMatch(/component=etcd,tier=control-plane/);
  });
});

describe('etcdPodMember', () => {
  it('reads name, peer and client URL from the command, and the node from the spec', () => {
    expect(etcdPodMember(pod('cp2', true))).toEqual({
      name: 'cp2',
      peerUrl: 'https://10.0.0.5:2380',
      clientUrl: 'https://10.0.0.5:2379',
      node: 'cp2',
    });
  });

  it('accepts flags with separate values, keeps the first URL, and gives undefined without a name', () => {
    expect(
      etcdMemberOfCommand({
        words: ['etcd', '--name', 'm1', '--initial-advertise-peer-urls', 'https://a:2380,https://b:2380'],
      }),
    ).toEqual({ name: 'm1', peerUrl: 'https://a:2380' });
    expect(etcdMemberOfCommand({ words: ['etcd', '--initial-advertise-peer-urls=https://a:2380'] })).toBe(
      undefined,
    );
  });
});
