import type { ClusterConfig } from '../../cluster/cluster-config.js';
import { shellQuote } from '../../transport/ssh/shell-quote.js';
import type { SshConnection } from '../../transport/ssh/ssh-connection.js';
import type { ControlplaneV2Facts, ControlplaneV2NodeFacts } from './controlplane-v2-facts.js';
import { requiredEtcdPki } from './controlplane-v2-facts.js';
import { ControlplaneV2RestoreError } from './controlplane-v2-restore-error.js';
import { asideDirectoryDefault, manifestsDirectoryDefault } from './node-step-params.js';
import { parseEtcdManifest } from './parse-etcd-manifest.js';
import { meaningfulErrorLine } from './run-node-script.js';

/** Options of {@link gatherControlplaneV2Facts}. */
export interface GatherControlplaneV2FactsOptions {
  /** The target; its `userCluster.controlPlaneNodes` are visited. */
  config: ClusterConfig;
  /** An SSH connection to a node by name (`StepContext.ssh`, or `connectSsh` with the config's jump host). */
  ssh(nodeName: string): Promise<SshConnection>;
  signal?: AbortSignal;
}

/**
 * Reads, over SSH and without changing anything, what `planControlplaneV2Restore` needs from every
 * control-plane node: its `etcd.yaml` (in the kubelet's folder, or aside after an interrupted restore), whether
 * `kube-apiserver.yaml` is there, which etcd PKI files are missing, free space beside the data directory, and
 * whether docker is installed. Nodes are visited in parallel.
 * @throws ControlplaneV2RestoreError `CPV2_RESTORE_COMMAND_FAILED` when a node cannot be inspected; SshError
 *   when it cannot be reached.
 */
export async function gatherControlplaneV2Facts(
  options: GatherControlplaneV2FactsOptions,
): Promise<ControlplaneV2Facts> {
  const nodes = await Promise.all(
    options.config.userCluster.controlPlaneNodes.map(async (node): Promise<ControlplaneV2NodeFacts> => {
      const ssh = await options.ssh(node.name);
      const survey = await ssh.exec({
        command: surveyScript(),
        sudo: true,
        timeoutMs: 60_000,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (survey.exitCode !== 0) {
        throw new ControlplaneV2RestoreError({
          code: 'CPV2_RESTORE_COMMAND_FAILED',
          message: `node ${node.name}: inspecting the control plane failed with exit code ${survey.exitCode}: ${meaningfulErrorLine(survey.stderr)}`,
          remedy: `check that ${node.user} can run sudo on ${node.name}`,
          node: node.name,
        });
      }
      const lines = survey.stdout.toString().split('\n');
      const found = new Set(lines.filter((line) => line.startsWith('found ')).map((line) => line.slice(6)));
      const where = (file: string): 'manifests' | 'aside' | undefined =>
        found.has(`${manifestsDirectoryDefault}/${file}`)
          ? 'manifests'
          : found.has(`${asideDirectoryDefault}/${file}`)
            ? 'aside'
            : undefined;
      const etcdLocation = where('etcd.yaml');
      const kubeApiserverLocation = where('kube-apiserver.yaml');
      let etcdManifest: ControlplaneV2NodeFacts['etcdManifest'];
      let availableBytes: number | undefined;
      if (etcdLocation) {
        const directory = etcdLocation === 'manifests' ? manifestsDirectoryDefault : asideDirectoryDefault;
        const read = await ssh.exec({
          command: `cat -- ${shellQuote(`${directory}/etcd.yaml`)}`,
          sudo: true,
          timeoutMs: 60_000,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (read.exitCode === 0) {
          etcdManifest = { location: etcdLocation, text: read.stdout.toString('utf8') };
          const dataHostPath = (() => {
            try {
              return parseEtcdManifest({ text: etcdManifest.text }).dataHostPath;
            } catch {
              return undefined;
            }
          })();
          const parent = dataHostPath?.replace(/\/[^/]+$/, '') || undefined;
          if (parent) {
            availableBytes = await ssh
              .statDiskFree({ path: parent, ...(options.signal ? { signal: options.signal } : {}) })
              .then((free) => free.availableBytes)
              .catch(() => undefined);
          }
        }
      }
      return {
        name: node.name,
        address: node.address,
        user: node.user,
        ...(etcdManifest ? { etcdManifest } : {}),
        ...(kubeApiserverLocation ? { kubeApiserverManifest: kubeApiserverLocation } : {}),
        missingPki: lines.filter((line) => line.startsWith('missing ')).map((line) => line.slice(8)),
        ...(availableBytes === undefined ? {} : { availableBytes }),
        hasDocker: lines.includes('docker'),
      };
    }),
  );
  return { nodes };
}

function surveyScript(): string {
  const directories = [manifestsDirectoryDefault, asideDirectoryDefault].map(shellQuote).join(' ');
  return [
    `for directory in ${directories}; do for file in etcd.yaml kube-apiserver.yaml; do`,
    '  if [ -f "$directory/$file" ]; then echo "found $directory/$file"; fi',
    'done; done',
    `for file in ${requiredEtcdPki.join(' ')}; do`,
    '  if [ ! -e "/etc/kubernetes/pki/$file" ]; then echo "missing $file"; fi',
    'done',
    'if command -v docker >/dev/null 2>&1; then echo docker; fi',
  ].join('\n');
}
