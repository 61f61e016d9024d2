import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ClusterConfig, loadClusterConfig, readBundle } from '@etcd-dr/sdk';
import type { DrillRestore, DrillRestoreArguments } from '@etcd-dr/verify';
import { utilityPodYaml } from '../packages/sandbox/src/apiserver/test-support/kubeception-fixture.js';
import { runKubectl } from '../packages/sandbox/src/apiserver/test-support/run-kubectl.js';
import { waitFor } from '../packages/sandbox/src/apiserver/test-support/start-test-api-server.js';
import { gkeOnPremVersion } from '../packages/sandbox/src/lab/lab-versions.js';

// Test support, not shipped: the runbook's Kubeception restores done by hand with the real kubectl, as
// `DrillRestore`s, so that the drill engine is proven end to end before the restore engine lands.
// Unencrypted directory bundles only. A failed kubectl step throws with kubectl's stderr.

const certificates =
  '--cacert=/etcd.local.config/certificates/etcdCA.crt --cert=/etcd.local.config/certificates/etcd.crt --key=/etcd.local.config/certificates/etcd.key';

type Kubectl = (args: string[], stdin?: string) => Promise<string>;

async function prepare(args: DrillRestoreArguments) {
  const config = await loadClusterConfig({ path: args.configPath });
  const bundle = await readBundle({ path: args.bundlePath });
  const snapshot = bundle.manifest.files.find((file) => file.role === 'snapshot');
  if (snapshot?.encryption !== 'none') throw new Error('the runbook restore needs a plain snapshot');
  await mkdir(args.workDirectory, { recursive: true });
  const admin: Kubectl = async (kubectlArgs, stdin) => {
    const result = await runKubectl({
      kubeconfig: config.adminCluster.kubeconfig,
      args: kubectlArgs,
      ...(stdin === undefined ? {} : { stdin }),
      cwd: args.workDirectory,
    });
    if (result.exitCode !== 0) throw new Error(`kubectl ${kubectlArgs.join(' ')}: ${result.stderr.trim()}`);
    return result.stdout;
  };
  const namespace = config.userCluster.name;
  const secret = (await admin(['get', 'secrets', '-n', namespace, '-o', 'name']))
    .split('\n')
    .map((line) => line.replace(/^secret\//, ''))
    .find((name) => name.startsWith('kube-etcd-certs'));
  if (!secret) throw new Error(`no kube-etcd-certs secret in ${namespace}`);
  return {
    config,
    namespace,
    secret,
    admin,
    snapshotPath: join(args.bundlePath, snapshot.path),
    revision: bundle.manifest.snapshot.revision,
  };
}

/** Steps 2-4 of the runbook for member N: utility pod on its PVC and node, snapshot in, restore, swap, pod out. */
async function restoreMember(options: {
  admin: Kubectl;
  config: ClusterConfig;
  namespace: string;
  secret: string;
  snapshotPath: string;
  member: number;
  /** The node that runs (or ran) kube-etcd-N, where its PVC is. */
  node: string;
  restoreFlags: string;
  restoredDirectory: string;
}): Promise<void> {
  const { admin, namespace, member } = options;
  const utility = `etcd-utility-${member}`;
  const node = options.node;
  await admin(
    ['create', '-f', '-'],
    utilityPodYaml({ cluster: namespace, member, node, version: gkeOnPremVersion, secret: options.secret }),
  );
  await waitFor(
    async () =>
      (await admin([
        'get',
        'pod',
        utility,
        '-n',
        namespace,
        '-o',
        'jsonpath={.status.containerStatuses[0].ready}',
      ])) === 'true',
    60_000,
    `${utility} to run`,
  );
  await admin(['cp', options.snapshotPath, `${namespace}/${utility}:snapshot.db`, '-c', 'etcd-utility']);
  await admin([
    'exec',
    '-n',
    namespace,
    utility,
    '-c',
    'etcd-utility',
    '--',
    '/bin/sh',
    '-ec',
    `cd / && ETCDCTL_API=3 etcdctl ${certificates} ${options.restoreFlags} snapshot restore snapshot.db && rm -r var/lib/etcd/* && cp -r ${options.restoredDirectory}/* var/lib/etcd/ && rm -rf ${options.restoredDirectory} snapshot.db`,
  ]);
  await admin(['delete', 'pod', utility, '-n', namespace]);
}

function nodeOf(admin: Kubectl, namespace: string, member: number): Promise<string> {
  return admin(['get', 'pod', `kube-etcd-${member}`, '-n', namespace, '-o', 'jsonpath={.spec.nodeName}']);
}

/** The runbook's non-HA Kubeception restore: member 0 restored through `etcd-utility-0`, then `kube-etcd-0` deleted. */
export const runbookKubeceptionRestore: DrillRestore = async (args) => {
  const started = Date.now();
  const prepared = await prepare(args);
  const node = await nodeOf(prepared.admin, prepared.namespace, 0);
  await restoreMember({ ...prepared, member: 0, node, restoreFlags: '', restoredDirectory: 'default.etcd' });
  await prepared.admin(['delete', 'pod', 'kube-etcd-0', '-n', prepared.namespace]);
  return { revision: prepared.revision, durationMs: Date.now() - started };
};

/**
 * The runbook's HA Kubeception restore: save and delete PDB `kube-apiserver-pdb`, scale `kube-apiserver` and
 * `gke-master-etcd-maintenance` to 0, restore every member through its utility pod with its own `--name` and
 * peer URL, scale back (3 and 1), re-create the PDB. One departure: `kube-etcd` is scaled to 0 while the data
 * is swapped and back to 3 after, instead of `rollout restart`. Done as written, the surviving member keeps
 * running on the old log; a restored member that restarts early (they crash-loop) joins it under the same
 * cluster ID and pulls the writes made after the backup back in (seen here under load: after-probes came back).
 */
export const runbookKubeceptionHaRestore: DrillRestore = async (args) => {
  const started = Date.now();
  const prepared = await prepare(args);
  const { admin, namespace } = prepared;
  const pdb = await admin(['get', 'pdb', 'kube-apiserver-pdb', '-n', namespace, '-o', 'yaml']);
  await writeFile(join(args.workDirectory, 'kube-apiserver-pdb.yaml'), pdb);
  await admin(['delete', 'pdb', 'kube-apiserver-pdb', '-n', namespace]);
  await admin(['scale', '--replicas', '0', 'statefulset', 'kube-apiserver', '-n', namespace]);
  await admin(['scale', '--replicas', '0', 'deployment', 'gke-master-etcd-maintenance', '-n', namespace]);
  const members = [0, 1, 2];
  const nodes = await Promise.all(members.map((member) => nodeOf(admin, namespace, member)));
  await admin(['scale', '--replicas', '0', 'statefulset', 'kube-etcd', '-n', namespace]);
  await waitFor(
    async () => !/kube-etcd-\d/.test(await admin(['get', 'pods', '-n', namespace, '-o', 'name'])),
    120_000,
    'every kube-etcd pod to stop',
  );
  const initialCluster = members
    .map((member) => `kube-etcd-${member}=https://kube-etcd-${member}.kube-etcd:2380`)
    .join(',');
  for (const member of members) {
    await restoreMember({
      ...prepared,
      member,
      node: nodes[member]!,
      restoreFlags: `--name=kube-etcd-${member} --initial-cluster=${initialCluster} --initial-cluster-token=etcd-cluster-1 --initial-advertise-peer-urls=https://kube-etcd-${member}.kube-etcd:2380`,
      restoredDirectory: `kube-etcd-${member}.etcd`,
    });
  }
  await admin(['scale', '--replicas', '3', 'statefulset', 'kube-etcd', '-n', namespace]);
  await admin(['scale', '--replicas', '3', 'statefulset', 'kube-apiserver', '-n', namespace]);
  await admin(['scale', '--replicas', '1', 'deployment', 'gke-master-etcd-maintenance', '-n', namespace]);
  await admin(['apply', '-f', join(args.workDirectory, 'kube-apiserver-pdb.yaml')]);
  return { revision: prepared.revision, durationMs: Date.now() - started };
};
