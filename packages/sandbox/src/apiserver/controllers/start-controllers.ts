import type { ApiContext } from '../api-context.js';
import type { PodRuntime } from '../pod-runtime-contract.js';
import { createKubelet, type Kubelet, type KubeletOptions } from './create-kubelet.js';
import { createReconcileLoop, type ReconcileLoop } from './create-reconcile-loop.js';
import { reconcileDeployments } from './reconcile-deployments.js';
import { reconcileDisruptionBudgets } from './reconcile-disruption-budgets.js';
import { reconcileNamespaces } from './reconcile-namespaces.js';
import { reconcileStatefulSets } from './reconcile-statefulsets.js';
import { schedulePods } from './schedule-pods.js';

/** Options of {@link startControllers}. */
export interface StartControllersOptions {
  context: ApiContext;
  /** Kubelet glue: which nodes' pods to run and where volumes go. Default none (pods are only scheduled). */
  kubelet?: Omit<KubeletOptions, 'context' | 'runtime' | 'trigger'> & { runtime: PodRuntime };
  /** Periodic full resync in milliseconds. Default 2000. */
  resyncMs?: number;
  /** Sees reconcile failures (etcd down, ...); they are retried at the next pass. */
  onError?: (error: unknown) => void;
}

/** The running in-process controllers of one API server. */
export interface Controllers {
  kubelet: Kubelet | undefined;
  /** Resolves when no controller pass is running or pending (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the StatefulSet, Deployment, disruption-budget and namespace controllers, the scheduler and (with `kubelet`) the kubelet glue,
 * each reconciling after every write the API server publishes, on runtime changes and on a periodic resync.
 */
export function startControllers(options: StartControllersOptions): Controllers {
  const { context } = options;
  const common = { resyncMs: options.resyncMs, onError: options.onError };
  const loops: ReconcileLoop[] = [
    createReconcileLoop({ ...common, reconcile: () => reconcileStatefulSets({ context }) }),
    createReconcileLoop({ ...common, reconcile: () => reconcileDeployments({ context }) }),
    createReconcileLoop({ ...common, reconcile: () => schedulePods({ context }) }),
    createReconcileLoop({ ...common, reconcile: () => reconcileDisruptionBudgets({ context }) }),
    createReconcileLoop({ ...common, reconcile: () => reconcileNamespaces({ context }) }),
  ];
  let kubelet: Kubelet | undefined;
  let unsubscribeRuntime: (() => void) | undefined;
  if (options.kubelet) {
    const { runtime, ...kubeletOptions } = options.kubelet;
    let kubeletLoop: ReconcileLoop | undefined;
    const created = createKubelet({
      ...kubeletOptions,
      context,
      runtime,
      trigger: () => kubeletLoop?.trigger(),
    });
    kubelet = created;
    kubeletLoop = createReconcileLoop({ ...common, reconcile: () => created.reconcile() });
    loops.push(kubeletLoop);
    unsubscribeRuntime = runtime.onChange(() => kubeletLoop?.trigger());
  }
  const unsubscribeHub = context.hub.subscribe(() => {
    for (const loop of loops) loop.trigger();
  });
  return {
    kubelet,
    async idle() {
      await Promise.all(loops.map((loop) => loop.idle()));
    },
    async stop() {
      unsubscribeHub();
      unsubscribeRuntime?.();
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}
