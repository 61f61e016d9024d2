// The API server depends only on the runtime's contract (runtime/pod-runtime.ts, fixed in DESIGN.md), so the
// real runtime and the test double both satisfy it.
export type {
  ExecSession,
  PodRuntime,
  RuntimeContainer,
  RuntimeContainerStatus,
  RuntimePodSpec,
  RuntimePodStatus,
  RuntimeVolume,
} from '../runtime/pod-runtime.js';
