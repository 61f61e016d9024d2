import { shellQuote } from '../../transport/ssh/shell-quote.js';
import type {
  ControlPlaneManifestParams,
  ControlplaneV2NodePaths,
  RestoreMemberParams,
} from './node-step-params.js';

/**
 * The shell scripts the Controlplane V2 executors run as root on a node (`sudo -n -- sh -c SCRIPT`). Each is
 * idempotent: it looks at what is already done first, so a run killed half-way can simply be repeated.
 * Exit code 3 means the node is in a state the step does not expect; stderr says which.
 */

const q = shellQuote;

/** Exit status of a script that found the node in an unexpected state. */
export const stateConflictExitCode = 3;

/** Creates a root-only folder unless it exists (an existing folder's mode is left alone). */
function ensurePrivateDirectory(path: string): string {
  return `[ -d ${q(path)} ] || (umask 077 && mkdir -p ${q(path)})`;
}

/** Moves the manifests from the kubelet's folder aside (API server first), unless already done. */
export function moveManifestsAsideScript(params: ControlPlaneManifestParams): string {
  const lines = ['set -e', ensurePrivateDirectory(params.asideDirectory)];
  for (const name of params.manifests) {
    const live = q(`${params.manifestsDirectory}/${name}`);
    const aside = q(`${params.asideDirectory}/${name}`);
    lines.push(
      `if [ -e ${live} ]; then`,
      `  if [ -e ${aside} ]; then`,
      `    if cmp -s ${live} ${aside}; then rm -f ${live}; else echo ${q(`${name} is both in ${params.manifestsDirectory} and in ${params.asideDirectory} with different contents`)} >&2; exit ${stateConflictExitCode}; fi`,
      '  else',
      `    mv ${live} ${aside}`,
      '  fi',
      'fi',
    );
  }
  lines.push(`test -e ${q(`${params.asideDirectory}/etcd.yaml`)}`);
  return lines.join('\n');
}

/** Puts the original manifests back (etcd first) where they are aside and not live. */
export function moveManifestsBackScript(params: ControlPlaneManifestParams): string {
  const lines = ['set -e'];
  for (const name of [...params.manifests].reverse()) {
    const live = q(`${params.manifestsDirectory}/${name}`);
    const aside = q(`${params.asideDirectory}/${name}`);
    lines.push(`if [ -e ${aside} ] && [ ! -e ${live} ]; then mv ${aside} ${live}; fi`);
  }
  lines.push(
    `if [ -d ${q(params.asideDirectory)} ]; then rmdir --ignore-fail-on-non-empty ${q(params.asideDirectory)}; fi`,
  );
  return lines.join('\n');
}

/** Removes the uploaded snapshot (and a partial upload), and the staging folder when nothing else is in it. */
export function removeSnapshotScript(paths: ControlplaneV2NodePaths): string {
  const snapshot = `${paths.stagingDirectory}/snapshot.db`;
  return [
    `rm -f -- ${q(snapshot)} ${q(`${snapshot}.etcd-dr-partial`)}`,
    `if [ -d ${q(paths.stagingDirectory)} ]; then rmdir --ignore-fail-on-non-empty ${q(paths.stagingDirectory)}; fi`,
  ].join('\n');
}

/** Prints one line per listener on the given TCP ports (empty once etcd is gone). */
export function listenersScript(ports: number[]): string {
  const filter = ports.map((port) => `sport = :${port}`).join(' or ');
  return `ss -Hltn ${q(`( ${filter} )`)}`;
}

/** Prepares the staging folder (0700) and prints the bytes the snapshot already there takes (0 when none). */
export function prepareStagingScript(paths: ControlplaneV2NodePaths): string {
  const snapshot = q(`${paths.stagingDirectory}/snapshot.db`);
  return [
    'set -e',
    `test -d ${q(paths.dataHostPath.replace(/\/[^/]+$/, '') || '/')}`,
    ensurePrivateDirectory(paths.stagingDirectory),
    `if [ -f ${snapshot} ]; then stat -c %s ${snapshot}; else echo 0; fi`,
  ].join('\n');
}

/** The `docker run` of the etcd-util image that restores the snapshot into `STAGING/restored`. */
export function restoreMemberDockerCommand(params: RestoreMemberParams): string {
  const staging = params.stagingDirectory;
  const restoreArguments = [
    'snapshot',
    'restore',
    `${staging}/snapshot.db`,
    `--data-dir=${staging}/restored`,
    `--name=${params.memberName}`,
    `--initial-advertise-peer-urls=${params.peerUrl}`,
    `--initial-cluster=${params.initialCluster}`,
    `--initial-cluster-token=${params.initialClusterToken}`,
    ...(params.skipHashCheck ? ['--skip-hash-check'] : []),
  ];
  return [
    'docker run --rm',
    `-v ${q(`${staging}:${staging}`)}`,
    ...(params.tool === 'etcdctl' ? ['--env ETCDCTL_API=3'] : []),
    q(params.image),
    params.tool,
    ...restoreArguments.map(q),
  ].join(' ');
}

/** Restores into a fresh `STAGING/restored` (a half-written one from a killed run is discarded first). */
export function restoreMemberScript(params: RestoreMemberParams): string {
  const staging = params.stagingDirectory;
  return [
    'set -e',
    `test -s ${q(`${staging}/snapshot.db`)}`,
    `rm -rf ${q(`${staging}/restored`)}`,
    restoreMemberDockerCommand(params),
    `test -d ${q(`${staging}/restored/member/wal`)}`,
  ].join('\n');
}

/**
 * Moves the old `member` aside into the staging folder and the restored one in. The marker `STAGING/swapped`
 * is written between the two moves, so an undo knows the data directory may hold the restored member.
 */
export function swapDataScript(paths: ControlplaneV2NodePaths): string {
  const data = paths.dataHostPath;
  const staging = paths.stagingDirectory;
  const member = q(`${data}/member`);
  const restored = q(`${staging}/restored/member`);
  const old = q(`${staging}/member.before-restore`);
  const marker = q(`${staging}/swapped`);
  return [
    'set -e',
    ensurePrivateDirectory(data),
    `if [ -d ${restored} ]; then`,
    `  if [ -e ${member} ]; then`,
    `    if [ -e ${marker} ] || [ -e ${old} ]; then echo ${q(`${data}/member exists while an old member is already in ${staging}/member.before-restore`)} >&2; exit ${stateConflictExitCode}; fi`,
    `    mv ${member} ${old}`,
    '  fi',
    `  : > ${marker}`,
    `  mv ${restored} ${member}`,
    `elif [ ! -e ${marker} ]; then`,
    `  echo ${q(`no restored member in ${staging}/restored: run the restore-member step first`)} >&2; exit ${stateConflictExitCode}`,
    'fi',
    `test -d ${q(`${data}/member/wal`)}`,
  ].join('\n');
}

/** Undoes {@link swapDataScript}: the restored member back into the staging folder, the old one back in. */
export function unswapDataScript(paths: ControlplaneV2NodePaths): string {
  const data = paths.dataHostPath;
  const staging = paths.stagingDirectory;
  const member = q(`${data}/member`);
  const old = q(`${staging}/member.before-restore`);
  const marker = q(`${staging}/swapped`);
  return [
    'set -e',
    `if [ -e ${marker} ] && [ -e ${member} ]; then`,
    `  rm -rf ${q(`${staging}/restored`)} && (umask 077 && mkdir ${q(`${staging}/restored`)})`,
    `  mv ${member} ${q(`${staging}/restored/member`)}`,
    'fi',
    `if [ -e ${old} ] && [ ! -e ${member} ]; then mv ${old} ${member}; fi`,
    `rm -f ${marker}`,
  ].join('\n');
}

/** Puts the edited etcd manifest (already written aside as `etcd.yaml.restored`) and the others back. */
export function moveRestoredManifestsInScript(params: ControlPlaneManifestParams): string {
  const lines = ['set -e'];
  for (const name of [...params.manifests].reverse()) {
    const live = q(`${params.manifestsDirectory}/${name}`);
    const source = q(`${params.asideDirectory}/${name === 'etcd.yaml' ? 'etcd.yaml.restored' : name}`);
    if (name === 'etcd.yaml') lines.push(`if [ ! -e ${live} ]; then mv ${source} ${live}; fi`);
    else lines.push(`if [ -e ${source} ] && [ ! -e ${live} ]; then mv ${source} ${live}; fi`);
  }
  return lines.join('\n');
}

/** Printed by {@link moveRestoredManifestsOutScript} when it took the restored etcd manifest out (etcd then stops). */
export const stoppedMarker = 'etcd-manifest-removed';

/** Undoes {@link moveRestoredManifestsInScript}: the API server aside again, the edited etcd manifest removed. */
export function moveRestoredManifestsOutScript(params: ControlPlaneManifestParams): string {
  // Without the original etcd.yaml aside, start did not run (or the stop was undone already): nothing to take out.
  const lines = ['set -e', `[ -e ${q(`${params.asideDirectory}/etcd.yaml`)} ] || exit 0`];
  for (const name of params.manifests) {
    const live = q(`${params.manifestsDirectory}/${name}`);
    const aside = q(`${params.asideDirectory}/${name}`);
    if (name === 'etcd.yaml') {
      // Only the edited copy is removed: the original stays aside for the undo of the stop step.
      lines.push(`if [ -e ${live} ] && [ -e ${aside} ]; then rm -f ${live}; echo ${stoppedMarker}; fi`);
    } else {
      lines.push(`if [ -e ${live} ] && [ ! -e ${aside} ]; then mv ${live} ${aside}; fi`);
    }
  }
  lines.push(`rm -f ${q(`${params.asideDirectory}/etcd.yaml.restored`)}`);
  return lines.join('\n');
}

/** Removes everything the restore left on the node: the staging folder (old member, snapshot) and the aside folder. */
export function cleanupScript(paths: ControlplaneV2NodePaths): string {
  return `rm -rf ${q(paths.stagingDirectory)} ${q(paths.asideDirectory)}`;
}

/** `etcdctl endpoint health` then `endpoint status -w json` against one member, from the etcd-util image. */
export function memberProbeDockerCommand(options: {
  image: string;
  tool: 'etcdctl';
  clientUrl: string;
}): string {
  const pki = '/etc/kubernetes/pki/etcd';
  const etcdctl = [
    'etcdctl',
    `--endpoints=${options.clientUrl}`,
    `--cacert=${pki}/ca.crt`,
    `--cert=${pki}/healthcheck-client.crt`,
    `--key=${pki}/healthcheck-client.key`,
    '--command-timeout=5s',
  ].join(' ');
  return [
    'docker run --rm',
    `-v ${q(`${pki}:${pki}:ro`)}`,
    '--env ETCDCTL_API=3',
    q(options.image),
    'sh -c',
    q(`${etcdctl} endpoint health && ${etcdctl} endpoint status -w json`),
  ].join(' ');
}
