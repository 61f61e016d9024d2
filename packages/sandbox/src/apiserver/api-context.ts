import type { PodRuntime } from './pod-runtime-contract.js';
import type { ObjectStore } from './storage/object-store.js';
import type { WatchHub } from './watch-hub.js';

/** What the REST handlers, exec endpoint and controllers share inside one API server. */
export interface ApiContext {
  store: ObjectStore;
  hub: WatchHub;
  /** The pod runtime for exec, logs and the kubelet glue; absent when the server runs no pods. */
  runtime: PodRuntime | undefined;
  /** True when the kubelet glue runs pods bound to `nodeName`: deleting such a pod is then graceful. */
  managesNode(nodeName: string): boolean;
}
