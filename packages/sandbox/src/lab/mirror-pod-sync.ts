import { podStatusFromRuntime } from '../apiserver/controllers/pod-status-from-runtime.js';
import { findResourceTypeByKind } from '../apiserver/resource-types.js';
import type { KubeObject, ObjectStore } from '../apiserver/storage/object-store.js';
import type { NodeAgent, StaticPodReport } from '../runtime/node/node-agent.js';
import type { AliasingPodRuntime } from './aliasing-pod-runtime.js';
import { mirrorAnnotation, mirrorPodObject } from './mirror-pod-object.js';

const podType = findResourceTypeByKind({ group: '', kind: 'Pod' })!;

/** Options of {@link startMirrorPodSync}. */
export interface StartMirrorPodSyncOptions {
  /** The store of the cluster the nodes belong to. */
  store: ObjectStore;
  /** The runtime that API server execs through: each mirror pod's uid becomes an alias of its static pod. */
  runtime: AliasingPodRuntime;
  /** One agent per control-plane node of the cluster. */
  agents: NodeAgent[];
  /** Resync period in ms (re-posts deleted mirror pods, e.g. after an etcd restore). Default 1000. */
  resyncMs?: number;
  log?: (line: string) => void;
}

/** A running mirror-pod poster. */
export interface MirrorPodSync {
  /** Posts and updates every mirror pod now (rejects when the API's etcd does not answer). */
  sync(): Promise<void>;
  stop(): void;
}

/**
 * Plays the kubelet's mirror-pod part for the static pods of `agents`: posts the mirror pod of every
 * static pod, replaces one that stands for an older version of the manifest, deletes those whose
 * manifest is gone, re-posts deleted ones, and writes each one's status from the runtime whenever it
 * changes. Exec and logs of a mirror pod reach its static pod through the aliasing runtime.
 */
export function startMirrorPodSync(options: StartMirrorPodSyncOptions): MirrorPodSync {
  const { store, runtime } = options;
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  const posted = new Map<string, { namespace: string; node: string }>();

  const syncOne = async (report: StaticPodReport): Promise<void> => {
    const target = { type: podType, namespace: report.namespace, name: report.name };
    let current: KubeObject | undefined = await store.get(target).catch((error: unknown) => {
      if ((error as { httpCode?: number }).httpCode === 404) return undefined;
      throw error;
    });
    const annotations = (current?.metadata?.annotations ?? {}) as Record<string, string>;
    if (current && annotations[mirrorAnnotation] !== report.uid) {
      await store.remove({ ...target, preconditionUid: current.metadata!.uid! }).catch(() => {});
      current = undefined;
    }
    current ??= await store.create({
      type: podType,
      namespace: report.namespace,
      object: mirrorPodObject(report),
    });
    runtime.alias({ apiUid: current.metadata!.uid!, runtimeUid: report.uid });
    const status = podStatusFromRuntime({
      pod: current,
      runtimeStatus: runtime.podStatus(current.metadata!.uid!),
      hostIP: report.manifest.spec.hostNetwork ? report.status?.ip : undefined,
    });
    if (JSON.stringify(status) !== JSON.stringify(current.status ?? {})) {
      await store.update({ ...target, object: { ...current, status }, subresource: 'status' });
    }
  };

  const pass = async (): Promise<void> => {
    const reports = options.agents.flatMap((agent) => agent.pods());
    const errors: unknown[] = [];
    for (const report of reports) {
      await syncOne(report).catch((error: unknown) => errors.push(error));
      posted.set(report.name, { namespace: report.namespace, node: report.node });
    }
    const live = new Set(reports.map((report) => report.name));
    for (const [name, { namespace }] of posted) {
      if (live.has(name)) continue;
      try {
        await store.remove({ type: podType, namespace, name });
        posted.delete(name);
      } catch (error) {
        if ((error as { httpCode?: number }).httpCode === 404) posted.delete(name);
        else errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  };

  const sync = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          if (!stopped) await pass();
        } while (again && !stopped);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const quietly = () =>
    void sync().catch((error: unknown) => options.log?.(`mirror pods: ${(error as Error).message}`));
  const unsubscribers = options.agents.map((agent) => agent.onChange(quietly));
  const timer = setInterval(quietly, options.resyncMs ?? 1000);
  timer.unref();
  return {
    sync,
    stop: () => {
      stopped = true;
      clearInterval(timer);
      for (const unsubscribe of unsubscribers) unsubscribe();
    },
  };
}
