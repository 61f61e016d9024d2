import { shellQuote } from '../transport/ssh/shell-quote.js';
import type { BackupStep } from './backup-error.js';

/** Options of {@link planKubeceptionBackup}. */
export interface PlanKubeceptionBackupOptions {
  /** The user cluster's namespace in the admin cluster. */
  namespace: string;
  /** The etcd member to snapshot, e.g. `kube-etcd-0`. */
  pod: string;
  /** The snapshot's temporary path in the pod, e.g. `/tmp/etcd-dr-0123456789abcdef.db`. */
  temporaryFile: string;
  /** Shown in the audit commands. Default `ADMIN_KUBECONFIG`. */
  kubeconfigPath?: string;
}

/** One command a Kubeception backup runs in the etcd container. */
export interface KubeceptionBackupCommand {
  step: BackupStep;
  /** What it does, for humans. */
  description: string;
  /** The command run in container `kube-etcd`. */
  command: string[];
  /** The same as a `kubectl exec` line, for audit and for doing it by hand. */
  kubectl: string;
}

/** The commands of a Kubeception backup, by purpose. */
export interface KubeceptionBackupPlan {
  namespace: string;
  pod: string;
  container: 'kube-etcd';
  temporaryFile: string;
  /** Health and server version: `etcdctl endpoint status -w json`. */
  checkEtcd: KubeceptionBackupCommand;
  /** `etcdctl snapshot save` into the temporary file, then its size on stdout. */
  saveSnapshot: KubeceptionBackupCommand;
  /** Revision and key count read in the pod (used when the bundle is encrypted): `etcdctl snapshot status`. */
  snapshotStatus: KubeceptionBackupCommand;
  /** The transfer from byte `offset` on: `cat` from 0, `tail -c +N` to resume. */
  transfer(offset: number): KubeceptionBackupCommand;
  /** Removes the temporary file; run whatever happened. */
  cleanup: KubeceptionBackupCommand;
}

const certificateFlags = [
  '--endpoints=https://127.0.0.1:2379',
  '--cacert=/etcd.local.config/certificates/etcdCA.crt',
  '--cert=/etcd.local.config/certificates/etcd.crt',
  '--key=/etcd.local.config/certificates/etcd.key',
].join(' ');

/**
 * Pure: the commands a Kubeception backup runs in the etcd pod, with the certificates of the runbook and
 * the equivalent `kubectl exec` lines, so that what `backupCluster` does can be read (and done by hand)
 * before anything runs.
 */
export function planKubeceptionBackup(options: PlanKubeceptionBackupOptions): KubeceptionBackupPlan {
  const { namespace, pod, temporaryFile } = options;
  const file = shellQuote(temporaryFile);
  const etcdctl = `ETCDCTL_API=3 etcdctl ${certificateFlags}`;
  const kubeconfig = options.kubeconfigPath ?? 'ADMIN_KUBECONFIG';
  const command = (step: BackupStep, description: string, argv: string[]): KubeceptionBackupCommand => ({
    step,
    description,
    command: argv,
    kubectl: `kubectl --kubeconfig ${shellQuote(kubeconfig)} exec -n ${namespace} ${pod} -c kube-etcd -- ${argv.map(shellQuote).join(' ')}`,
  });
  const script = (step: BackupStep, description: string, text: string) =>
    command(step, description, ['/bin/sh', '-ec', text]);
  return {
    namespace,
    pod,
    container: 'kube-etcd',
    temporaryFile,
    checkEtcd: script(
      'check-etcd',
      `check that etcd in ${pod} answers, and read its version`,
      `${etcdctl} endpoint status -w json`,
    ),
    saveSnapshot: script(
      'snapshot',
      `take a snapshot in ${pod} into ${temporaryFile}`,
      `${etcdctl} snapshot save ${file} >&2 && wc -c < ${file}`,
    ),
    snapshotStatus: script(
      'snapshot',
      `read revision and key count of ${temporaryFile} in ${pod}`,
      `ETCDCTL_API=3 etcdctl snapshot status ${file} -w json`,
    ),
    transfer: (offset) =>
      offset === 0
        ? command('transfer', `stream ${temporaryFile} out of ${pod}`, ['cat', temporaryFile])
        : command('transfer', `resume streaming ${temporaryFile} at byte ${offset}`, [
            'tail',
            '-c',
            `+${offset + 1}`,
            temporaryFile,
          ]),
    cleanup: command('cleanup', `remove ${temporaryFile} from ${pod}`, ['rm', '-f', temporaryFile]),
  };
}
