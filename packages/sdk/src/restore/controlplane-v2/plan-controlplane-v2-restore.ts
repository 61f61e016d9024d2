import type { BundleFile, BundleManifest } from '../../bundle/bundle-manifest.js';
import type { PlanStep } from '../../plan/plan-step.js';
import { shellQuote } from '../../transport/ssh/shell-quote.js';
import type { ControlplaneV2Facts, ControlplaneV2NodeFacts } from './controlplane-v2-facts.js';
import { ControlplaneV2RestoreError } from './controlplane-v2-restore-error.js';
import {
  cleanupScript,
  listenersScript,
  memberProbeDockerCommand,
  restoreMemberDockerCommand,
} from './node-scripts.js';
import {
  asideDirectoryDefault,
  type ControlPlaneManifestParams,
  type ControlplaneV2NodePaths,
  manifestsDirectoryDefault,
  type RestoreMemberParams,
  type RestorePkiParams,
  type UploadSnapshotParams,
  type WaitHealthyParams,
} from './node-step-params.js';
import { type EtcdManifestFacts, parseEtcdManifest } from './parse-etcd-manifest.js';

/** Options of {@link planControlplaneV2Restore}. */
export interface PlanControlplaneV2RestoreOptions {
  /** The bundle's manifest (already verified). */
  manifest: BundleManifest;
  /** The live nodes, from `gatherControlplaneV2Facts`. */
  facts: ControlplaneV2Facts;
  /** The etcd-util image `docker run` uses on the nodes (the config's `etcdUtilImage`). */
  etcdUtilImage: string;
  /** Limit for etcd to stop once its manifest is moved. Default 120 000 ms. */
  stopTimeoutMs?: number;
  /** Limit for every member to be healthy and the API to answer after the restore. Default 300 000 ms. */
  healthTimeoutMs?: number;
}

/** Room kept free beyond the snapshot and the restored member (the WAL etcd preallocates, 64 MiB). */
const freeSpaceMarginBytes = 128 * 1024 * 1024;

/** etcd's `--initial-cluster-token` default, used when the manifest does not set one. */
const defaultClusterToken = 'etcd-cluster';

/**
 * The ordered steps that restore a Controlplane V2 user cluster's etcd from a bundle, non-HA or HA (pure: the
 * bundle's manifest and the live facts decide everything). Per-node steps of the same phase share a
 * `parallelGroup` so the members of an HA cluster are worked on at the same time:
 * upload the snapshot (before any outage), put back missing PKI, stop the control plane (manifests aside), restore
 * each member into a fresh folder, swap the old member out and the restored one in, put the manifests back,
 * wait for every member healthy at the snapshot's revision and the API, then remove what the restore left.
 * @throws ControlplaneV2RestoreError `CPV2_RESTORE_PLAN_INVALID` (wrong topology, members that do not match,
 *   a node without etcd.yaml), `CPV2_RESTORE_NODE_NOT_READY` (no docker, too little disk, PKI missing that the
 *   bundle does not hold).
 */
export function planControlplaneV2Restore(options: PlanControlplaneV2RestoreOptions): PlanStep[] {
  const { manifest, facts } = options;
  const invalid = (message: string, remedy: string, node?: string) =>
    new ControlplaneV2RestoreError({
      code: 'CPV2_RESTORE_PLAN_INVALID',
      message,
      remedy,
      ...(node ? { node } : {}),
    });
  if (manifest.cluster.topology !== 'controlplane-v2') {
    throw invalid(
      `the bundle is a ${manifest.cluster.topology} backup of ${manifest.cluster.name}, not Controlplane V2`,
      'restore it with the planner of its topology',
    );
  }
  if (facts.nodes.length === 0) {
    throw invalid(
      'the config lists no control-plane node of the user cluster',
      'list every control-plane node under userCluster.controlPlaneNodes in etcd-dr.yaml',
    );
  }
  const snapshot = manifest.files.find((file) => file.role === 'snapshot')!;
  const nodes = facts.nodes.map((node) => ({ node, etcd: etcdFactsOf(node) }));

  const initialCluster = nodes[0]!.etcd.initialCluster;
  const initialClusterText = initialCluster.map((member) => `${member.name}=${member.peerUrl}`).join(',');
  for (const { node, etcd } of nodes) {
    const text = etcd.initialCluster.map((member) => `${member.name}=${member.peerUrl}`).join(',');
    if (text !== initialClusterText) {
      throw invalid(
        `node ${node.name}'s etcd.yaml has --initial-cluster=${text}, node ${nodes[0]!.node.name}'s has ${initialClusterText}`,
        'make the etcd manifests of the control-plane nodes agree before restoring',
        node.name,
      );
    }
    if (
      !etcd.initialCluster.some(
        (member) => member.name === etcd.memberName && member.peerUrl === etcd.peerUrl,
      )
    ) {
      throw invalid(
        `node ${node.name}'s member ${etcd.memberName} (${etcd.peerUrl}) is not in its --initial-cluster=${text}`,
        'fix the node etcd.yaml so --name and --initial-advertise-peer-urls appear in --initial-cluster',
        node.name,
      );
    }
  }
  if (initialCluster.length !== nodes.length) {
    throw invalid(
      `--initial-cluster names ${initialCluster.length} members but the config lists ${nodes.length} control-plane nodes`,
      'list every control-plane node (and only those) under userCluster.controlPlaneNodes in etcd-dr.yaml',
    );
  }
  if (manifest.cluster.members.length !== nodes.length) {
    throw invalid(
      `the bundle has ${manifest.cluster.members.length} etcd members, the live cluster ${nodes.length}`,
      'restore into a cluster with as many control-plane nodes as the backed-up one',
    );
  }

  const requiredBytes = snapshot.size * 2 + freeSpaceMarginBytes;
  for (const { node } of nodes) {
    if (!node.hasDocker) {
      throw notReady(
        node.name,
        `node ${node.name} has no docker on its PATH`,
        'the restore runs the etcd-util image with docker on each control-plane node; install or expose docker',
      );
    }
    if (node.availableBytes !== undefined && node.availableBytes < requiredBytes) {
      throw notReady(
        node.name,
        `node ${node.name} has ${mebibytes(node.availableBytes)} free beside its etcd data directory, the restore needs ${mebibytes(requiredBytes)}`,
        'free space on the data disk (old logs, images) and plan again',
      );
    }
  }

  const tool = toolFor(manifest.etcd.version);
  const stopTimeoutMs = options.stopTimeoutMs ?? 120_000;
  const steps: PlanStep[] = [];
  const pathsOf = (node: ControlplaneV2NodeFacts, etcd: EtcdManifestFacts): ControlplaneV2NodePaths => ({
    node: node.name,
    manifestsDirectory: manifestsDirectoryDefault,
    asideDirectory: asideDirectoryDefault,
    dataHostPath: etcd.dataHostPath,
    stagingDirectory: `${etcd.dataHostPath.replace(/\/[^/]+$/, '')}/etcd-dr-restore`,
  });
  const manifestsOf = (node: ControlplaneV2NodeFacts) => [
    ...(node.kubeApiserverManifest ? ['kube-apiserver.yaml'] : []),
    'etcd.yaml',
  ];
  const portsOf = (etcd: EtcdManifestFacts) => [
    ...new Set([portOf(etcd.clientUrl, 2379), portOf(etcd.peerUrl, 2380)]),
  ];
  const sshOf = (node: ControlplaneV2NodeFacts) => `ssh ${node.user}@${node.address}`;
  const sudoCommand = (node: ControlplaneV2NodeFacts, script: string) =>
    `${sshOf(node)} ${shellQuote(`sudo ${script}`)}`;

  const copyCheck =
    snapshot.encryption === 'age'
      ? 'the SHA-256 of the decrypted stream (age authenticates every chunk of the bundle file)'
      : "the bundle's SHA-256 of the snapshot";
  for (const { node, etcd } of nodes) {
    const paths = pathsOf(node, etcd);
    const params: UploadSnapshotParams = {
      ...paths,
      bundleFile: snapshot.path,
      encryption: snapshot.encryption,
      requiredBytes,
    };
    steps.push({
      id: `controlplane-v2:upload-snapshot:${node.name}`,
      kind: 'controlplane-v2.upload-snapshot',
      title: `Upload the snapshot to ${paths.stagingDirectory}/snapshot.db on ${node.name}`,
      description: `Checks that ${mebibytes(requiredBytes)} are free beside ${paths.dataHostPath}, then streams the bundle's ${snapshot.path}${snapshot.encryption === 'age' ? ' (decrypted on the way, in memory)' : ''} over SSH into a root-only file (0600 in a 0700 folder) and compares the SHA-256 sha256sum computes on the node with ${copyCheck}; a copy that differs is removed and the restore stops there. Done before anything stops, so the outage does not include the transfer.`,
      commands: [
        `${sshOf(node)} df -Pk ${shellQuote(paths.dataHostPath.replace(/\/[^/]+$/, ''))}`,
        `${sshOf(node)} 'sudo install -d -m 0700 ${paths.stagingDirectory}'`,
        `${snapshot.encryption === 'age' ? `age -d -i IDENTITY ${snapshot.path}` : `cat ${snapshot.path}`} | ${sshOf(node)} 'sudo sh -c "umask 077 && cat > ${paths.stagingDirectory}/snapshot.db"'`,
        `${sshOf(node)} 'sudo sha256sum ${paths.stagingDirectory}/snapshot.db'`,
      ],
      undo: {
        description: `Remove the uploaded snapshot from ${node.name}.`,
        commands: [sudoCommand(node, `rm -f ${paths.stagingDirectory}/snapshot.db`)],
      },
      params: params as unknown as Record<string, unknown>,
      parallelGroup: 'controlplane-v2:upload-snapshot',
      departsFromRunbook:
        'The runbook copies the snapshot to /tmp (world-readable folder, plaintext); it goes to a root-only folder on the data disk instead, and is removed at the end.',
    });
  }

  for (const { node, etcd } of nodes) {
    if (node.missingPki.length === 0) continue;
    const archive = findPkiArchive(manifest.files, node.name);
    if (!archive) {
      throw notReady(
        node.name,
        `node ${node.name} lacks ${node.missingPki.map((file) => `/etc/kubernetes/pki/${file}`).join(', ')} and the bundle holds no PKI archive of it`,
        `restore the node's /etc/kubernetes/pki from another source, or use a bundle taken with the PKI of ${node.name}`,
      );
    }
    const paths = pathsOf(node, etcd);
    const params: RestorePkiParams = {
      ...paths,
      bundleFile: archive.path,
      encryption: archive.encryption,
      missing: node.missingPki,
    };
    steps.push({
      id: `controlplane-v2:restore-pki:${node.name}`,
      kind: 'controlplane-v2.restore-pki',
      title: `Put back the missing PKI files on ${node.name}`,
      description: `${node.name} lacks ${node.missingPki.join(', ')} under /etc/kubernetes/pki. Extracts the bundle's ${archive.path} as root with the archive's owners and modes, skipping every file that exists (existing files and folders keep their contents and modes).`,
      commands: [
        `${archive.encryption === 'age' ? `age -d -i IDENTITY ${archive.path}` : `cat ${archive.path}`} | ${sshOf(node)} 'sudo tar -C / -xf - --skip-old-files etc/kubernetes/pki'`,
      ],
      params: params as unknown as Record<string, unknown>,
      parallelGroup: 'controlplane-v2:restore-pki',
      departsFromRunbook:
        'The runbook copies the whole saved PKI back; only missing files are written here, so a node whose certificates were renewed since the backup keeps them.',
    });
  }

  for (const { node, etcd } of nodes) {
    const paths = pathsOf(node, etcd);
    const params: ControlPlaneManifestParams = {
      ...paths,
      manifests: manifestsOf(node),
      ports: portsOf(etcd),
      timeoutMs: stopTimeoutMs,
    };
    steps.push({
      id: `controlplane-v2:stop-control-plane:${node.name}`,
      kind: 'controlplane-v2.stop-control-plane',
      title: `Stop kube-apiserver and etcd on ${node.name}`,
      description: `Moves ${params.manifests.join(' and ')} from ${paths.manifestsDirectory} to ${paths.asideDirectory} (root-only, same filesystem), so the kubelet stops the static pods, then waits until nothing listens on ports ${params.ports.join(', ')}.`,
      commands: [
        sudoCommand(node, `install -d -m 0700 ${paths.asideDirectory}`),
        ...params.manifests.map((name) =>
          sudoCommand(node, `mv ${paths.manifestsDirectory}/${name} ${paths.asideDirectory}/${name}`),
        ),
        `${sshOf(node)} ${shellQuote(listenersScript(params.ports))}   # repeat until it prints nothing`,
      ],
      undo: {
        description: `Move the original manifests back into ${paths.manifestsDirectory} on ${node.name}.`,
        commands: [...params.manifests]
          .reverse()
          .map((name) =>
            sudoCommand(node, `mv ${paths.asideDirectory}/${name} ${paths.manifestsDirectory}/${name}`),
          ),
      },
      params: params as unknown as Record<string, unknown>,
      parallelGroup: 'controlplane-v2:stop-control-plane',
      departsFromRunbook:
        "The runbook moves the manifests to the login user's home (~); they go to a root-only folder beside the manifests folder instead, and the step waits for etcd to be gone before its data is touched.",
    });
  }

  const hashCheckDeparture =
    manifest.snapshot.hash === 'unhashed'
      ? `It restores with --skip-hash-check, which a copied db file without etcd's trailing hash needs anyway; the bundle's SHA-256 was checked in pre-flight and each node's copy against ${copyCheck} in the upload step.`
      : `It restores with --skip-hash-check: the snapshot's own trailing hash was checked when it was taken, the bundle's SHA-256 in pre-flight, and each node's copy against ${copyCheck} in the upload step; etcdctl would hash it again on every node at once.`;
  for (const { node, etcd } of nodes) {
    const paths = pathsOf(node, etcd);
    const params: RestoreMemberParams = {
      ...paths,
      image: options.etcdUtilImage,
      tool,
      memberName: etcd.memberName,
      peerUrl: etcd.peerUrl,
      initialCluster: initialClusterText,
      initialClusterToken:
        etcd.initialClusterToken ?? nodes[0]!.etcd.initialClusterToken ?? defaultClusterToken,
      skipHashCheck: true,
    };
    steps.push({
      id: `controlplane-v2:restore-member:${node.name}`,
      kind: 'controlplane-v2.restore-member',
      title: `Restore member ${etcd.memberName} from the snapshot on ${node.name}`,
      description: `Runs ${tool} snapshot restore in the etcd-util image into a fresh ${paths.stagingDirectory}/restored (a half-written one is discarded first) with this member's --name and peer URL and the cluster's --initial-cluster and token, and --skip-hash-check: the upload step checked this node's copy.`,
      commands: [
        sudoCommand(node, `rm -rf ${paths.stagingDirectory}/restored`),
        sudoCommand(node, restoreMemberDockerCommand(params)),
      ],
      undo: {
        description: `Remove the restored member from ${paths.stagingDirectory} on ${node.name}.`,
        commands: [sudoCommand(node, `rm -rf ${paths.stagingDirectory}/restored`)],
      },
      params: params as unknown as Record<string, unknown>,
      parallelGroup: 'controlplane-v2:restore-member',
      departsFromRunbook: `The runbook's docker command mounts /opt/data/var/lib at /var/lib but passes --data-dir=/opt/data/var/lib/etcd, a path that is not a mount inside the container: it exits 0 and the restored member vanishes with the container (shown in the lab). The staging folder is mounted at its own path instead, so the restore lands on the node${tool === 'etcdutl' ? '; etcd 3.5+ restores with etcdutl' : ''}. ${hashCheckDeparture}`,
    });
  }

  for (const { node, etcd } of nodes) {
    const paths = pathsOf(node, etcd);
    steps.push({
      id: `controlplane-v2:swap-data:${node.name}`,
      kind: 'controlplane-v2.swap-data',
      title: `Swap the restored member into ${paths.dataHostPath} on ${node.name}`,
      description: `Moves the old ${paths.dataHostPath}/member to ${paths.stagingDirectory}/member.before-restore (kept until every member is healthy) and the restored member into its place; both renames stay on one filesystem.`,
      commands: [
        sudoCommand(node, `mv ${paths.dataHostPath}/member ${paths.stagingDirectory}/member.before-restore`),
        sudoCommand(node, `mv ${paths.stagingDirectory}/restored/member ${paths.dataHostPath}/member`),
      ],
      undo: {
        description: `Put the old member back into ${paths.dataHostPath} on ${node.name}.`,
        commands: [
          sudoCommand(node, `mv ${paths.dataHostPath}/member ${paths.stagingDirectory}/restored/member`),
          sudoCommand(
            node,
            `mv ${paths.stagingDirectory}/member.before-restore ${paths.dataHostPath}/member`,
          ),
        ],
      },
      params: paths as unknown as Record<string, unknown>,
      parallelGroup: 'controlplane-v2:swap-data',
      departsFromRunbook:
        'The runbook restores straight into the data directory (which etcdctl refuses when it exists); the old data is kept aside here until the restored cluster is healthy.',
    });
  }

  for (const { node, etcd } of nodes) {
    const paths = pathsOf(node, etcd);
    const params: ControlPlaneManifestParams = {
      ...paths,
      manifests: manifestsOf(node),
      ports: portsOf(etcd),
      timeoutMs: stopTimeoutMs,
      initialClusterState: 'new',
    };
    steps.push({
      id: `controlplane-v2:start-control-plane:${node.name}`,
      kind: 'controlplane-v2.start-control-plane',
      title: `Start etcd and kube-apiserver on ${node.name}`,
      description: `Writes a copy of the original etcd.yaml with --initial-cluster-state=new (with sudo, same mode as the original) and moves it, then kube-apiserver.yaml, back into ${paths.manifestsDirectory}; the original etcd.yaml stays aside until the cleanup.`,
      commands: [
        sudoCommand(
          node,
          `sed 's/^\\( *\\)- etcd$/&\\n\\1- --initial-cluster-state=new/' ${paths.asideDirectory}/etcd.yaml > ${paths.asideDirectory}/etcd.yaml.restored`,
        ),
        sudoCommand(
          node,
          `mv ${paths.asideDirectory}/etcd.yaml.restored ${paths.manifestsDirectory}/etcd.yaml`,
        ),
        ...params.manifests
          .filter((name) => name !== 'etcd.yaml')
          .map((name) =>
            sudoCommand(node, `mv ${paths.asideDirectory}/${name} ${paths.manifestsDirectory}/${name}`),
          ),
      ],
      undo: {
        description: `Stop the restored control plane on ${node.name} again (the original manifests stay aside).`,
        commands: [
          ...params.manifests
            .filter((name) => name !== 'etcd.yaml')
            .map((name) =>
              sudoCommand(node, `mv ${paths.manifestsDirectory}/${name} ${paths.asideDirectory}/${name}`),
            ),
          sudoCommand(node, `rm ${paths.manifestsDirectory}/etcd.yaml`),
        ],
      },
      params: params as unknown as Record<string, unknown>,
      parallelGroup: 'controlplane-v2:start-control-plane',
      ...(nodes.length > 1
        ? {
            departsFromRunbook:
              'The HA runbook adds --initial-cluster-state=existing. A restored member starts from the WAL etcdctl wrote, and etcd ignores --initial-cluster-state whenever a WAL exists (the lab starts the cluster either way); new is written because the restored members form a new cluster (a new cluster ID from --initial-cluster and the token), as the non-HA runbook says.',
          }
        : {}),
    });
  }

  const waitParams: WaitHealthyParams = {
    members: nodes.map(({ node, etcd }) => ({
      node: node.name,
      memberName: etcd.memberName,
      clientUrl: etcd.clientUrl,
    })),
    image: options.etcdUtilImage,
    revision: manifest.snapshot.revision,
    timeoutMs: options.healthTimeoutMs ?? 300_000,
    checkApi: true,
  };
  steps.push({
    id: 'controlplane-v2:wait-healthy',
    kind: 'controlplane-v2.wait-healthy',
    title: `Wait for ${nodes.length === 1 ? 'the etcd member' : `all ${nodes.length} etcd members`} healthy at revision ${manifest.snapshot.revision} or later, and the API`,
    description:
      "On every node, runs etcdctl endpoint health and endpoint status in the etcd-util image with the node's healthcheck-client certificate, until every member is healthy, they agree on one cluster ID and leader, and each is at the snapshot's revision or later; then waits for the user cluster's API and the pods etcd-NODE and kube-apiserver-NODE Ready.",
    commands: [
      ...nodes.map(({ node }) =>
        sudoCommand(
          node,
          memberProbeDockerCommand({
            image: options.etcdUtilImage,
            tool: 'etcdctl',
            clientUrl: waitParams.members.find((member) => member.node === node.name)!.clientUrl,
          }),
        ),
      ),
      'kubectl --kubeconfig USER_KUBECONFIG get pods -n kube-system -l tier=control-plane',
    ],
    params: waitParams as unknown as Record<string, unknown>,
  });

  for (const { node, etcd } of nodes) {
    const paths = pathsOf(node, etcd);
    steps.push({
      id: `controlplane-v2:cleanup:${node.name}`,
      kind: 'controlplane-v2.cleanup',
      title: `Remove the old member, the snapshot and the original manifests kept on ${node.name}`,
      description: `Every member is healthy: removes ${paths.stagingDirectory} (the old member kept aside, the snapshot) and ${paths.asideDirectory} (the original etcd.yaml). Cannot be undone, which is why it runs last.`,
      commands: [sudoCommand(node, cleanupScript(paths))],
      params: paths as unknown as Record<string, unknown>,
      parallelGroup: 'controlplane-v2:cleanup',
    });
  }
  return steps;
}

function etcdFactsOf(node: ControlplaneV2NodeFacts): EtcdManifestFacts {
  if (!node.etcdManifest) {
    throw new ControlplaneV2RestoreError({
      code: 'CPV2_RESTORE_PLAN_INVALID',
      message: `node ${node.name} has no etcd.yaml in ${manifestsDirectoryDefault} nor in ${asideDirectoryDefault}`,
      remedy: `put the node's etcd static pod manifest back in ${manifestsDirectoryDefault} (kubeadm writes it) and plan again`,
      node: node.name,
    });
  }
  try {
    return parseEtcdManifest({ text: node.etcdManifest.text });
  } catch (error) {
    const where =
      node.etcdManifest.location === 'manifests' ? manifestsDirectoryDefault : asideDirectoryDefault;
    throw new ControlplaneV2RestoreError({
      code: 'CPV2_RESTORE_PLAN_INVALID',
      message: `node ${node.name}: ${where}/etcd.yaml cannot be used: ${(error as Error).message}`,
      remedy: 'fix the etcd static pod manifest on the node and plan again',
      node: node.name,
      cause: error,
    });
  }
}

function notReady(node: string, message: string, remedy: string): ControlplaneV2RestoreError {
  return new ControlplaneV2RestoreError({ code: 'CPV2_RESTORE_NODE_NOT_READY', message, remedy, node });
}

function findPkiArchive(files: BundleFile[], node: string): BundleFile | undefined {
  return files.find((file) => file.role === 'pki' && file.node === node);
}

/** etcd 3.5 moved `snapshot restore` to etcdutl (3.6 removed it from etcdctl). */
function toolFor(version: string): 'etcdctl' | 'etcdutl' {
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  if (!match) return 'etcdctl';
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 3 || (major === 3 && minor >= 5) ? 'etcdutl' : 'etcdctl';
}

function portOf(url: string, fallback: number): number {
  const match = /:(\d+)\/?$/.exec(url);
  return match ? Number(match[1]) : fallback;
}

function mebibytes(bytes: number): string {
  return `${Math.ceil(bytes / (1024 * 1024))} MiB`;
}
