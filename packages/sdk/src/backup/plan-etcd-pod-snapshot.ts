import { shellQuote } from '../transport/ssh/shell-quote.js';
import type { BackupStep } from './backup-error.js';

/** The TLS files `etcdctl` uses inside an etcd container. */
export interface EtcdClientCertificates {
  /** CA that signed the server certificate, e.g. `/etc/kubernetes/pki/etcd/ca.crt`. */
  ca: string;
  /** Client certificate, e.g. `/etc/kubernetes/pki/etcd/server.crt`. */
  cert: string;
  /** Its key, e.g. `/etc/kubernetes/pki/etcd/server.key`. */
  key: string;
}

/** Options of {@link planEtcdPodSnapshot}. */
export interface PlanEtcdPodSnapshotOptions {
  /** Namespace of the etcd pod. */
  namespace: string;
  /** The etcd member to snapshot, e.g. `kube-etcd-0` or `etcd-user-cluster-1-cp1`. */
  pod: string;
  /** The etcd container, e.g. `kube-etcd` or `etcd`. */
  container: string;
  certificates: EtcdClientCertificates;
  /** The snapshot's temporary path in the pod, e.g. `/tmp/etcd-dr-0123456789abcdef.db`. */
  temporaryFile: string;
  /** Shown in the audit commands. Default `KUBECONFIG`. */
  kubeconfigPath?: string;
}

/** One command a backup runs in an etcd container. */
export interface EtcdPodCommand {
  step: BackupStep;
  /** What it does, for humans. */
  description: string;
  /** The command run in the container. */
  command: string[];
  /** The same as a `kubectl exec` line, for audit and for doing it by hand. */
  kubectl: string;
}

/** The commands that snapshot one etcd member in its pod, by purpose. */
export interface EtcdPodSnapshotPlan {
  namespace: string;
  pod: string;
  container: string;
  temporaryFile: string;
  /** Health and server version: `etcdctl endpoint status -w json`. */
  checkEtcd: EtcdPodCommand;
  /** `etcdctl snapshot save` into the temporary file, then its size on stdout. */
  saveSnapshot: EtcdPodCommand;
  /** Revision and key count read in the pod: `etcdctl snapshot status`. */
  snapshotStatus: EtcdPodCommand;
  /** The transfer from byte `offset` on: `cat` from 0, `tail -c +N` to resume. */
  transfer(offset: number): EtcdPodCommand;
  /** Removes the temporary file; run whatever happened. */
  cleanup: EtcdPodCommand;
}

/**
 * Pure: the commands that take a snapshot of one etcd member inside its pod with the given certificates, with
 * the equivalent `kubectl exec` lines, so that what a backup does can be read (and done by hand) before
 * anything runs.
 */
export function planEtcdPodSnapshot(options: PlanEtcdPodSnapshotOptions): EtcdPodSnapshotPlan {
  const { namespace, pod, container, temporaryFile, certificates } = options;
  const file = shellQuote(temporaryFile);
  const etcdctl = [
    'ETCDCTL_API=3 etcdctl',
    '--endpoints=https://127.0.0.1:2379',
    `--cacert=${certificates.ca}`,
    `--cert=${certificates.cert}`,
    `--key=${certificates.key}`,
  ].join(' ');
  const kubeconfig = options.kubeconfigPath ?? 'KUBECONFIG';
  const command = (step: BackupStep, description: string, argv: string[]): EtcdPodCommand => ({
    step,
    description,
    command: argv,
    kubectl: `kubectl --kubeconfig ${shellQuote(kubeconfig)} exec -n ${namespace} ${pod} -c ${container} -- ${argv.map(shellQuote).join(' ')}`,
  });
  const script = (step: BackupStep, description: string, text: string) =>
    command(step, description, ['/bin/sh', '-ec', text]);
  return {
    namespace,
    pod,
    container,
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

/** The certificates of the runbook, per kind of etcd pod. */
export const etcdClientCertificates = {
  /** Kubeception `kube-etcd-N` (container `kube-etcd`): the `kube-etcd-certs-*` Secret's files. */
  kubeception: {
    ca: '/etcd.local.config/certificates/etcdCA.crt',
    cert: '/etcd.local.config/certificates/etcd.crt',
    key: '/etcd.local.config/certificates/etcd.key',
  },
  /** Controlplane V2 `etcd-NODE` (container `etcd`): the node's etcd server certificate. */
  controlplaneV2: {
    ca: '/etc/kubernetes/pki/etcd/ca.crt',
    cert: '/etc/kubernetes/pki/etcd/server.crt',
    key: '/etc/kubernetes/pki/etcd/server.key',
  },
  /** The admin cluster's `etcd-NODE` (container `etcd`): the healthcheck client certificate. */
  admin: {
    ca: '/etc/kubernetes/pki/etcd/ca.crt',
    cert: '/etc/kubernetes/pki/etcd/healthcheck-client.crt',
    key: '/etc/kubernetes/pki/etcd/healthcheck-client.key',
  },
} as const satisfies Record<string, EtcdClientCertificates>;
