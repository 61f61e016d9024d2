import { shellQuote } from '../../transport/ssh/shell-quote.js';

/** Where the kube-etcd PVC is mounted, in kube-etcd pods and in utility pods alike. */
export const kubeEtcdDataDirectory = '/var/lib/etcd';

/** Where etcd-dr writes the snapshot inside a utility pod (its own /tmp, not the PVC). */
export function utilitySnapshotPath(restoreId: string): string {
  return `/tmp/etcd-dr-snapshot-${restoreId}.db`;
}

/** The name the member's old data is moved to, next to `member`, until the restored member is healthy. */
export function movedAsideName(restoreId: string): string {
  return `member.before-restore-${restoreId}`;
}

/** Options of {@link restoreMemberScript}. */
export interface RestoreMemberScriptOptions {
  restoreId: string;
  memberName: string;
  initialCluster: string;
  initialClusterToken: string;
  peerUrl: string;
}

/**
 * Pure: the `sh -ec` script run in utility pod `etcd-utility-N` that restores the snapshot into the PVC.
 * Idempotent (a resumed run repeats it): a marker says it is done; a half-done run is redone. It restores
 * into a fresh folder on the PVC (so the swap is two renames), moves the old `member` aside rather than
 * deleting it, uses `etcdutl` when the image has it (etcd 3.5+) and `etcdctl` otherwise (3.4), and checks
 * free space first (exit 28, ENOSPC, when short). It passes `--skip-hash-check`: the snapshot's trailing
 * SHA-256 was checked when it was taken, the bundle's SHA-256 of the file in pre-flight, and the byte count
 * after the copy into the pod; etcdctl's own check hashes the whole snapshot again in each member's pod
 * (1.6 s per 500 MiB with etcd 3.4's Go 1.19, no SHA instructions), on every member at once in HA.
 */
export function restoreMemberScript(options: RestoreMemberScriptOptions): string {
  const { restoreId } = options;
  const flags = [
    `--data-dir=.etcd-dr-restore-${restoreId}`,
    `--name=${options.memberName}`,
    `--initial-cluster=${options.initialCluster}`,
    `--initial-cluster-token=${options.initialClusterToken}`,
    `--initial-advertise-peer-urls=${options.peerUrl}`,
    '--skip-hash-check',
  ]
    .map(shellQuote)
    .join(' ');
  const snapshot = shellQuote(utilitySnapshotPath(restoreId));
  const aside = shellQuote(movedAsideName(restoreId));
  return [
    // A run interrupted by a killed client goes on in the pod: the resumed run waits for it to end.
    `if command -v flock >/dev/null 2>&1; then exec 9>/tmp/etcd-dr-restore-${restoreId}.lock; flock 9; fi`,
    `cd ${kubeEtcdDataDirectory}`,
    `if [ -e .etcd-dr-restored-${restoreId} ]; then echo tool=done; exit 0; fi`,
    `need=$(( $(wc -c < ${snapshot}) * 2 / 1024 + 1024 ))`,
    `avail=$(df -Pk . | awk 'NR==2 {print $4}')`,
    `if [ "$avail" -lt "$need" ]; then echo "only $avail KiB free in ${kubeEtcdDataDirectory}, the restore needs $need KiB" >&2; exit 28; fi`,
    `rm -rf .etcd-dr-restore-${restoreId}`,
    `if command -v etcdutl >/dev/null 2>&1; then tool=etcdutl; etcdutl snapshot restore ${snapshot} ${flags} >&2; else tool=etcdctl; ETCDCTL_API=3 etcdctl snapshot restore ${snapshot} ${flags} >&2; fi`,
    `if [ -e member ] && [ ! -e ${aside} ]; then mv member ${aside}; fi`,
    'rm -rf member',
    `mv .etcd-dr-restore-${restoreId}/member member`,
    `rmdir .etcd-dr-restore-${restoreId}`,
    `: > .etcd-dr-restored-${restoreId}`,
    `rm -f ${snapshot}`,
    'echo "tool=$tool"',
  ].join('\n');
}

/** Pure: the script that puts a member's old data back (undo of the restore), in a utility pod. Idempotent. */
export function undoRestoreMemberScript(options: { restoreId: string }): string {
  const { restoreId } = options;
  const aside = shellQuote(movedAsideName(restoreId));
  return [
    `cd ${kubeEtcdDataDirectory}`,
    `if [ -e ${aside} ]; then rm -rf member; mv ${aside} member; fi`,
    `rm -rf .etcd-dr-restore-${restoreId} .etcd-dr-restored-${restoreId} ${shellQuote(utilitySnapshotPath(restoreId))}`,
  ].join('\n');
}

/** Pure: the script run in `kube-etcd-N` once the restored member is healthy: drops the old data. */
export function removeOldDataScript(options: { restoreId: string }): string {
  const { restoreId } = options;
  return `cd ${kubeEtcdDataDirectory} && rm -rf ${shellQuote(movedAsideName(restoreId))} .etcd-dr-restored-${restoreId} .etcd-dr-restore-${restoreId}`;
}

/** Pure: the script that receives the snapshot on stdin into the utility pod and prints its size. */
export function receiveSnapshotScript(options: { restoreId: string }): string {
  const target = shellQuote(utilitySnapshotPath(options.restoreId));
  return `cat > ${target}.part && mv ${target}.part ${target} && wc -c < ${target}`;
}
