import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { BackupError } from './backup-error.js';
import { pickEtcdPod } from './pick-etcd-pod.js';

function pod(name: string, ready: boolean, waiting?: string): V1Pod {
  return {
    metadata: { name },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'kube-etcd',
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

function failure(pods: V1Pod[]): BackupError {
  try {
    pickEtcdPod({ pods, namespace: 'user-1' });
  } catch (error) {
    return error as BackupError;
  }
  throw new Error('pickEtcdPod did not throw');
}

describe('pickEtcdPod', () => {
  it('takes kube-etcd-0 when it is Ready, whatever the list order', () => {
    const picked = pickEtcdPod({
      pods: [pod('kube-etcd-2', true), pod('kube-etcd-0', true), pod('kube-etcd-1', true)],
      namespace: 'user-1',
    });
    expect(picked.metadata?.name).toBe('kube-etcd-0');
  });

  it('takes the first Ready member when kube-etcd-0 is not', () => {
    const picked = pickEtcdPod({
      pods: [
        pod('kube-etcd-2', true),
        pod('kube-etcd-0', false, 'CrashLoopBackOff'),
        pod('kube-etcd-1', true),
      ],
      namespace: 'user-1',
    });
    expect(picked.metadata?.name).toBe('kube-etcd-1');
  });

  it('ignores pods that are not members (utility pods, the API server)', () => {
    const error = failure([pod('etcd-utility-0', true), pod('kube-apiserver-0', true)]);
    expect(BackupError.isInstance(error)).toBe(true);
    expect(error.code).toBe('BACKUP_POD_NOT_FOUND');
    expect(error.message).toContain('namespace user-1');
  });

  it('names every member and its state when none is Ready', () => {
    const error = failure([pod('kube-etcd-0', false, 'CrashLoopBackOff'), pod('kube-etcd-1', false)]);
    expect(error.code).toBe('BACKUP_ETCD_UNHEALTHY');
    expect(error.step).toBe('find-etcd');
    expect(error.message).toContain('kube-etcd-0 CrashLoopBackOff, kube-etcd-1 Running');
    expect(error.remedy).toMatch(/restore/);
  });
});
