import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadClusterConfig, readBundle } from '@etcd-dr/sdk';
import type { DrillRestore } from '@etcd-dr/verify';
import { utilityPodYaml } from '../packages/sandbox/src/apiserver/test-support/kubeception-fixture.js';
import { runKubectl } from '../packages/sandbox/src/apiserver/test-support/run-kubectl.js';
import { waitFor } from '../packages/sandbox/src/apiserver/test-support/start-test-api-server.js';
import { gkeOnPremVersion } from '../packages/sandbox/src/lab/lab-versions.js';

const certificates =
  '--cacert=/etcd.local.config/certificates/etcdCA.crt --cert=/etcd.local.config/certificates/etcd.crt --key=/etcd.local.config/certificates/etcd.key';

/**
 * Test support, not shipped: the runbook's non-HA Kubeception restore done by hand with the real kubectl
 * (utility pod on kube-etcd-0's PVC, `kubectl cp` of the snapshot, `etcdctl snapshot restore`, data swapped,
 * kube-etcd-0 deleted), as a `DrillRestore`, so the drill engine is proven end to end before the restore engine
 * lands. Unencrypted directory bundles only. Throws with kubectl's stderr when a step fails.
 */
export const runbookKubeceptionRestore: DrillRestore = async ({ configPath, bundlePath, workDirectory }) => {
  const started = Date.now();
  const config = await loadClusterConfig({ path: configPath });
  const bundle = await readBundle({ path: bundlePath });
  const snapshot = bundle.manifest.files.find((file) => file.role === 'snapshot');
  if (snapshot?.encryption !== 'none') throw new Error('the runbook restore needs a plain snapshot');
  const namespace = config.userCluster.name;
  const admin = async (args: string[], stdin?: string) => {
    const result = await runKubectl({
      kubeconfig: config.adminCluster.kubeconfig,
      args,
      ...(stdin === undefined ? {} : { stdin }),
      cwd: workDirectory,
    });
    if (result.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr.trim()}`);
    return result.stdout;
  };
  await mkdir(workDirectory, { recursive: true });

  const secret = (await admin(['get', 'secrets', '-n', namespace, '-o', 'name']))
    .split('\n')
    .map((line) => line.replace(/^secret\//, ''))
    .find((name) => name.startsWith('kube-etcd-certs'));
  if (!secret) throw new Error(`no kube-etcd-certs secret in ${namespace}`);
  const node = await admin(['get', 'pod', 'kube-etcd-0', '-n', namespace, '-o', 'jsonpath={.spec.nodeName}']);
  await admin(
    ['create', '-f', '-'],
    utilityPodYaml({ cluster: namespace, member: 0, node, version: gkeOnPremVersion, secret }),
  );
  await waitFor(
    async () =>
      (await admin([
        'get',
        'pod',
        'etcd-utility-0',
        '-n',
        namespace,
        '-o',
        'jsonpath={.status.containerStatuses[0].ready}',
      ])) === 'true',
    60_000,
    'the utility pod to run',
  );
  await admin([
    'cp',
    join(bundlePath, snapshot.path),
    `${namespace}/etcd-utility-0:snapshot.db`,
    '-c',
    'etcd-utility',
  ]);
  await admin([
    'exec',
    '-n',
    namespace,
    'etcd-utility-0',
    '-c',
    'etcd-utility',
    '--',
    '/bin/sh',
    '-ec',
    `cd / && ETCDCTL_API=3 etcdctl ${certificates} snapshot restore snapshot.db && rm -r var/lib/etcd/* && cp -r default.etcd/* var/lib/etcd/`,
  ]);
  await admin(['delete', 'pod', 'kube-etcd-0', '-n', namespace]);
  await admin(['delete', 'pod', 'etcd-utility-0', '-n', namespace]);
  return { revision: bundle.manifest.snapshot.revision, durationMs: Date.now() - started };
};
