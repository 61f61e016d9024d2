import { type ClusterConfig, connectKube } from '@etcd-dr/sdk';

/** Where the drill's probe configmaps live. */
export const probeNamespace = 'default';

/** Pure: `PREFIX-RUN-1` ... `PREFIX-RUN-COUNT`. */
export function probeNames(prefix: string, run: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${run}-${index + 1}`);
}

/** Creates one configmap per name through the user API. */
export async function createProbes(options: { config: ClusterConfig; names: string[] }): Promise<void> {
  const user = await connectKube({ kubeconfigPath: options.config.userCluster.kubeconfig });
  for (const name of options.names) {
    await user.call(`create configmap ${probeNamespace}/${name}`, () =>
      user.core.createNamespacedConfigMap({
        namespace: probeNamespace,
        body: {
          metadata: { name, labels: { 'etcd-dr.io/drill': 'probe' } },
          data: { createdAt: new Date().toISOString() },
        },
      }),
    );
  }
}

/** The probe configmaps of this run that exist now. */
export async function listProbes(options: { config: ClusterConfig; run: string }): Promise<string[]> {
  const user = await connectKube({ kubeconfigPath: options.config.userCluster.kubeconfig });
  const list = await user.call(`list configmaps in ${probeNamespace}`, () =>
    user.core.listNamespacedConfigMap({ namespace: probeNamespace }),
  );
  return list.items
    .map((item) => item.metadata?.name ?? '')
    .filter((name) => name.startsWith('drill-') && name.includes(`-${options.run}-`));
}
