import type { BackupPlan } from '@etcd-dr/sdk';
import { describe, expect, it } from 'vitest';
import { formatBackupPlan } from './format-backup-plan.js';

describe('formatBackupPlan', () => {
  it('numbers the steps and prints each command after $', () => {
    const plan: BackupPlan = {
      kind: 'backup',
      planVersion: 1,
      cluster: { name: 'user-1', topology: 'controlplane-v2' },
      includeAdmin: false,
      encrypted: true,
      steps: [
        {
          id: 'pki:cp1',
          kind: 'backup.pki',
          title: 'Archive /etc/kubernetes/pki of control-plane node cp1',
          description: 'Read with sudo.',
          commands: ["ssh ubuntu@10.0.0.1 'sudo -n -- tar -C / -cf - etc/kubernetes/pki' > pki/cp1.tar.age"],
          params: {},
          departsFromRunbook: 'no chmod',
        },
      ],
    };
    expect(formatBackupPlan(plan)).toBe(
      [
        'Backup plan for user-1 (controlplane-v2, without the admin cluster, age-encrypted). Nothing was changed.',
        '',
        '1. Archive /etc/kubernetes/pki of control-plane node cp1',
        '   Read with sudo.',
        '   Departs from the runbook: no chmod.',
        "   $ ssh ubuntu@10.0.0.1 'sudo -n -- tar -C / -cf - etc/kubernetes/pki' > pki/cp1.tar.age",
        '',
      ].join('\n'),
    );
  });
});
