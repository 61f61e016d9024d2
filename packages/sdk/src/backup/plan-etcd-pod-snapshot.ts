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
  /**
   * The snapshot's temporary path in the pod, e.g. `/tmp/etcd-dr-0123456789abcdef.db`; `PATH.part`, `PATH.log`
   * and `PATH.pid` sit next to it while the snapshot is taken.
   */
  temporaryFile: string;
  /** The member's client URL as seen from inside its pod. Default `https://127.0.0.1:2379`. */
  endpoint?: string;
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
  /** Health, server version and database size: `etcdctl endpoint status -w json`. */
  checkEtcd: EtcdPodCommand;
  /**
   * Starts `etcdctl snapshot save` into the temporary file in the background and prints the file on stdout
   * while etcdctl writes it; then, on stderr, the marker lines `etcd-dr:status=JSON` (`etcdctl snapshot
   * status -w json`) and `etcd-dr:size=BYTES` (see {@link parseSnapshotMarkers}). When etcdctl fails, prints
   * its output on stderr, removes the temporary files and exits with its status.
   */
  streamSnapshot: EtcdPodCommand;
  /**
   * After a dropped or short stream: waits until the background `etcdctl snapshot save` ended, then prints the
   * snapshot from byte `offset` on (`tail -c +N`) and the same markers; fails with etcdctl's output when the
   * snapshot was not completed.
   */
  resumeSnapshot(offset: number): EtcdPodCommand;
  /** Stops a still-running `etcdctl snapshot save` and removes the temporary files; run whatever happened. */
  cleanup: EtcdPodCommand;
}

/**
 * Shell function `alive PID`: true while the snapshot saver runs. A saver whose parent shell died is
 * re-parented to a pid 1 that may never reap it: a zombie is not alive, and neither is another process that
 * took its pid (its command line lacks `snapshot`). A process in the middle of being started is alive, or the
 * streaming loop would end before the first byte: a fork of this shell not yet exec'd (its command line is
 * ours; `read` gets only its first line), or one with an empty command line (mid-exec). Built-ins only (`kill`,
 * `read`): the loop calls it every 50 ms while a snapshot streams, and three `grep` processes per call were
 * hundreds of forks per backup competing with etcd for the CPU. dash's `read` drops the NULs between
 * arguments; a shell whose `read` stops at the first NUL still sees `etcdctl` or `setsid`.
 */
export const saverAliveFunction = [
  'alive() {',
  '  kill -0 "$1" 2>/dev/null || return 1',
  '  state=; read -r _ _ state _ <"/proc/$1/stat" 2>/dev/null || return 1',
  '  [ "$state" != Z ] || return 1',
  '  command=; read -r command <"/proc/$1/cmdline" 2>/dev/null || true',
  '  self=; read -r self <"/proc/$$/cmdline" 2>/dev/null || true',
  '  case "$command" in "" | "$self" | *snapshot* | etcdctl* | */etcdctl* | setsid*) return 0 ;; *) return 1 ;; esac',
  '}',
].join('\n');

/** The marker line prefixes the snapshot scripts print on stderr. */
export const snapshotMarkers = { status: 'etcd-dr:status=', size: 'etcd-dr:size=' } as const;

/**
 * Pure: the commands that take a snapshot of one etcd member inside its pod with the given certificates, with
 * the equivalent `kubectl exec` lines, so that what a backup does can be read (and done by hand) before
 * anything runs.
 */
export function planEtcdPodSnapshot(options: PlanEtcdPodSnapshotOptions): EtcdPodSnapshotPlan {
  const { namespace, pod, container, temporaryFile, certificates } = options;
  const etcdctl = [
    'etcdctl',
    `--endpoints=${shellQuote(options.endpoint ?? 'https://127.0.0.1:2379')}`,
    `--cacert=${shellQuote(certificates.ca)}`,
    `--cert=${shellQuote(certificates.cert)}`,
    `--key=${shellQuote(certificates.key)}`,
  ].join(' ');
  const kubeconfig = options.kubeconfigPath ?? 'KUBECONFIG';
  const command = (step: BackupStep, description: string, argv: string[]): EtcdPodCommand => ({
    step,
    description,
    command: argv,
    kubectl: `kubectl --kubeconfig ${shellQuote(kubeconfig)} exec -n ${namespace} ${pod} -c ${container} -- ${argv.map(shellQuote).join(' ')}`,
  });
  const script = (step: BackupStep, description: string, lines: string[]) =>
    command(step, description, ['/bin/sh', '-ec', lines.join('\n')]);
  const file = `F=${shellQuote(temporaryFile)}`;
  const alive = saverAliveFunction;
  const markers = [
    'status=$(etcdctl snapshot status "$F" -w json)',
    `echo "${snapshotMarkers.status}$status" >&2`,
    `echo ${snapshotMarkers.size}$(wc -c <"$F") >&2`,
  ];
  return {
    namespace,
    pod,
    container,
    temporaryFile,
    checkEtcd: script('check-etcd', `check that etcd in ${pod} answers, and read its version`, [
      `ETCDCTL_API=3 ${etcdctl} endpoint status -w json`,
    ]),
    streamSnapshot: script(
      'snapshot',
      `take a snapshot in ${pod} into ${temporaryFile}, streaming it out while etcdctl writes it`,
      [
        'umask 077',
        file,
        'rm -f "$F.part" "$F" "$F.log" "$F.pid"',
        // Created and opened before etcdctl starts: etcdctl truncates it (no O_EXCL) and renames it to $F,
        // and fd 3 follows the inode, so every byte is read once however the two race.
        ': >"$F.part"',
        'exec 3<"$F.part"',
        'export ETCDCTL_API=3',
        // In its own session, a dropped exec (whose process group is killed) leaves the saver running.
        'setsid=; if command -v setsid >/dev/null 2>&1; then setsid=setsid; fi',
        `$setsid ${etcdctl} snapshot save "$F" </dev/null >"$F.log" 2>&1 &`,
        'pid=$!',
        'echo "$pid" >"$F.pid"',
        alive,
        // cat returns at the end of the growing file; the shared fd offset makes the next one continue there.
        'while [ -e "$F.part" ] && alive "$pid"; do cat <&3; sleep 0.05; done',
        'code=0; wait "$pid" || code=$?',
        'if [ "$code" -ne 0 ]; then cat "$F.log" >&2; rm -f "$F.part" "$F" "$F.log" "$F.pid"; exit "$code"; fi',
        // After etcdctl ended: what is left, all of it even when the loop above could not watch it.
        'cat <&3',
        ...markers,
      ],
    ),
    resumeSnapshot: (offset) =>
      script('transfer', `resume streaming ${temporaryFile} out of ${pod} at byte ${offset}`, [
        file,
        'export ETCDCTL_API=3',
        alive,
        'pid=$(cat "$F.pid" 2>/dev/null || true)',
        'if [ -n "$pid" ]; then while alive "$pid"; do sleep 0.05; done; fi',
        'if [ ! -f "$F" ]; then cat "$F.log" >&2 2>/dev/null || true; echo "etcdctl snapshot save did not complete $F" >&2; exit 1; fi',
        `tail -c +${offset + 1} "$F"`,
        ...markers,
      ]),
    cleanup: script('cleanup', `stop the snapshot and remove ${temporaryFile} from ${pod}`, [
      file,
      alive,
      'pid=$(cat "$F.pid" 2>/dev/null || true)',
      'if [ -n "$pid" ] && alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; i=0; while alive "$pid" && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i+1)); done; fi',
      // .part before the file: a rename etcdctl still makes either fails or is undone by the next removal.
      'rm -f "$F.part" "$F" "$F.log" "$F.pid"',
    ]),
  };
}

/** What the snapshot scripts report on stderr. */
export interface SnapshotMarkers {
  /** `etcdctl snapshot status -w json` of the complete snapshot, when printed. */
  status?: { revision: number; totalKeys: number };
  /** Bytes of the complete snapshot, when printed. */
  size?: number;
}

/** Pure: the markers in the stderr of {@link EtcdPodSnapshotPlan.streamSnapshot} or `resumeSnapshot`. */
export function parseSnapshotMarkers(stderr: string): SnapshotMarkers {
  const markers: SnapshotMarkers = {};
  for (const line of stderr.split('\n')) {
    if (line.startsWith(snapshotMarkers.size)) {
      const size = Number(line.slice(snapshotMarkers.size.length).trim());
      if (Number.isSafeInteger(size) && size >= 0) markers.size = size;
    } else if (line.startsWith(snapshotMarkers.status)) {
      try {
        const parsed = JSON.parse(line.slice(snapshotMarkers.status.length)) as {
          revision?: unknown;
          totalKey?: unknown;
        };
        if (typeof parsed.revision === 'number' && typeof parsed.totalKey === 'number') {
          markers.status = { revision: parsed.revision, totalKeys: parsed.totalKey };
        }
      } catch {
        // Left out: the caller reports a missing status.
      }
    }
  }
  return markers;
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
