import { rm } from 'node:fs/promises';
import type { ApiContext } from '../api-context.js';
import { ApiStatusError } from '../api-status-error.js';
import type { LooseObject } from '../loose-object.js';
import type { PodRuntime } from '../pod-runtime-contract.js';
import { findResourceType } from '../resource-types.js';
import type { KubeObject } from '../storage/object-store.js';
import { materializeVolumes, podVolumesDirectory, VolumeNotReady } from './materialize-volumes.js';
import { isTerminating } from './pod-helpers.js';
import { podStatusFromRuntime } from './pod-status-from-runtime.js';
import { runtimePodSpec } from './runtime-pod-spec.js';

const podType = findResourceType({ group: '', version: 'v1', resource: 'pods' })!;
const nodeType = findResourceType({ group: '', version: 'v1', resource: 'nodes' })!;

/** Options of {@link createKubelet}. */
export interface KubeletOptions {
  context: ApiContext;
  runtime: PodRuntime;
  /** Names of the nodes whose pods this kubelet runs. */
  nodes: string[];
  /** Where volumes are materialised (`pods/UID/volumes/NAME`, `pvc/NS/CLAIM`). */
  dataDir: string;
  /** The node's network namespace and address, for `hostNetwork` pods. Default: hostNetwork pods get their own. */
  hostNetwork?: (nodeName: string) => { netns: string; ip: string } | undefined;
  /** A node's root directory (Controlplane V2 nodes), passed to the runtime. */
  nodeRoot?: (nodeName: string) => string | undefined;
  /** Asks for another reconcile pass (the runtime changed something). */
  trigger: () => void;
}

/** The kubelet glue between API Pod objects and the pod runtime. */
export interface Kubelet {
  reconcile(): Promise<void>;
  managesNode(nodeName: string): boolean;
}

function ignoreRaces(error: unknown): void {
  if (error instanceof ApiStatusError && ['NotFound', 'Conflict'].includes(error.reason)) return;
  throw error;
}

/**
 * Creates the kubelet glue: runs pods bound to the managed nodes through the runtime (volumes
 * materialised first), writes their status back, finishes graceful deletions (kill, then remove the
 * object) and kills pods whose objects vanished (deleted, or rolled back by an etcd restore).
 */
export function createKubelet(options: KubeletOptions): Kubelet {
  const { context, runtime } = options;
  const nodes = new Set(options.nodes);
  const started = new Set<string>();
  const busy = new Set<string>();

  // Work on a pod that failed (start, kill) is retried with back-off (0.5 s doubling to 10 s), not on every pass.
  const retries = new Map<string, { at: number; delayMs: number }>();
  const deferRetry = (uid: string): void => {
    const delayMs = Math.min((retries.get(uid)?.delayMs ?? 250) * 2, 10_000);
    retries.set(uid, { at: Date.now() + delayMs, delayMs });
  };

  const background = (uid: string, work: () => Promise<void>): void => {
    busy.add(uid);
    void work()
      .catch(() => deferRetry(uid))
      .finally(() => {
        busy.delete(uid);
        options.trigger();
      });
  };

  // Secret copies must not outlive their pod, as with the real kubelet's tmpfs volumes.
  const removePodVolumes = (uid: string): Promise<void> =>
    rm(podVolumesDirectory({ dataDir: options.dataDir, uid }), { recursive: true, force: true });

  async function writeStatus(pod: KubeObject, status: LooseObject): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(pod.status)) return;
    await context.store
      .update({
        type: podType,
        namespace: pod.metadata!.namespace!,
        name: pod.metadata!.name!,
        object: { ...pod, status },
        subresource: 'status',
      })
      .catch(ignoreRaces);
  }

  function startPod(pod: KubeObject, nodeName: string): void {
    const uid = pod.metadata!.uid!;
    background(uid, async () => {
      let waitingReason: { reason: string; message: string };
      try {
        const volumes = await materializeVolumes({ context, pod, dataDir: options.dataDir });
        const spec = runtimePodSpec({
          pod,
          volumes,
          hostNetwork: options.hostNetwork?.(nodeName),
          root: options.nodeRoot?.(nodeName),
        });
        await runtime.runPod(spec);
        started.add(uid);
        retries.delete(uid);
        return;
      } catch (error) {
        waitingReason =
          error instanceof VolumeNotReady
            ? { reason: 'ContainerCreating', message: `MountVolume.SetUp failed: ${error.message}` }
            : { reason: 'CreateContainerError', message: (error as Error).message };
      }
      deferRetry(uid);
      await writeStatus(pod, podStatusFromRuntime({ pod, runtimeStatus: undefined, waitingReason }));
    });
  }

  return {
    managesNode: (nodeName) => nodes.has(nodeName),
    async reconcile() {
      const [{ items: pods }, { items: nodeObjects }] = await Promise.all([
        context.store.list({ type: podType }),
        context.store.list({ type: nodeType }),
      ]);
      const hostIPs = new Map(
        nodeObjects.map((node) => [
          node.metadata?.name,
          (((node.status as LooseObject | undefined)?.addresses ?? []) as LooseObject[]).find(
            (address) => address.type === 'InternalIP',
          )?.address as string | undefined,
        ]),
      );
      const present = new Set<string>();
      for (const pod of pods) {
        const nodeName = (pod.spec as LooseObject | undefined)?.nodeName as string | undefined;
        const uid = pod.metadata?.uid;
        if (!uid || !nodeName || !nodes.has(nodeName)) continue;
        present.add(uid);
        if (busy.has(uid) || (retries.get(uid)?.at ?? 0) > Date.now()) continue;
        if (isTerminating(pod)) {
          background(uid, async () => {
            if (started.has(uid)) {
              await runtime.killPod(uid, {
                gracePeriodSeconds: pod.metadata?.deletionGracePeriodSeconds ?? 30,
              });
              started.delete(uid);
            }
            await removePodVolumes(uid);
            await context.store
              .remove({
                type: podType,
                namespace: pod.metadata!.namespace!,
                name: pod.metadata!.name!,
                preconditionUid: uid,
              })
              .catch(ignoreRaces);
          });
          continue;
        }
        if (!started.has(uid)) {
          startPod(pod, nodeName);
          continue;
        }
        await writeStatus(
          pod,
          podStatusFromRuntime({ pod, runtimeStatus: runtime.podStatus(uid), hostIP: hostIPs.get(nodeName) }),
        );
      }
      for (const uid of retries.keys()) if (!present.has(uid)) retries.delete(uid);
      for (const uid of [...started]) {
        if (present.has(uid) || busy.has(uid)) continue;
        background(uid, async () => {
          await runtime.killPod(uid, { gracePeriodSeconds: 0 });
          started.delete(uid);
          await removePodVolumes(uid);
        });
      }
    },
  };
}
