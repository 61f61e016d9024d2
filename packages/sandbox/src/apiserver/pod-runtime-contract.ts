// The runtime/ layer's contract as packages/sandbox/DESIGN.md fixes it. The API server depends only on this
// shape, so the real runtime (runtime/pod-runtime.ts) and test doubles both satisfy it structurally.
import type { Readable, Writable } from 'node:stream';

/** A host directory mounted into containers. */
export interface RuntimeVolume {
  name: string;
  hostPath: string;
  readOnly?: boolean;
}

/** One container as the runtime runs it. */
export interface RuntimeContainer {
  name: string;
  image: string;
  command: string[];
  workingDir?: string;
  env?: Array<{ name: string; value: string }>;
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  readinessProbe?: { exec?: { command: string[] }; tcpSocket?: { port: number }; periodSeconds?: number };
}

/** A pod as the runtime runs it. */
export interface RuntimePodSpec {
  uid: string;
  namespace: string;
  name: string;
  hostname: string;
  subdomain?: string;
  containers: RuntimeContainer[];
  volumes: RuntimeVolume[];
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  network: { kind: 'own' } | { kind: 'join'; netns: string; ip: string };
  root?: string;
}

/** Kubernetes-shaped status of one container. */
export interface RuntimeContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  started: boolean;
  state:
    | { running: { startedAt: string } }
    | { waiting: { reason: string; message?: string } }
    | { terminated: { exitCode: number; reason: string; startedAt?: string; finishedAt: string } };
}

/** Kubernetes-shaped status of one pod. */
export interface RuntimePodStatus {
  uid: string;
  ip?: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  containers: RuntimeContainerStatus[];
}

/** A command running in a container: streamed stdio and its exit. */
export interface ExecSession {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  exit: Promise<{ exitCode: number } | { error: string }>;
  kill(signal?: NodeJS.Signals): void;
}

/** What the API server's kubelet glue and exec endpoint need from the pod runtime. */
export interface PodRuntime {
  runPod(spec: RuntimePodSpec): Promise<void>;
  killPod(uid: string, options?: { gracePeriodSeconds?: number }): Promise<void>;
  podStatus(uid: string): RuntimePodStatus | undefined;
  exec(options: { uid: string; container: string; command: string[]; tty: boolean }): ExecSession;
  /** `follow` (optional extension the runtime implements) keeps the stream open while the container runs. */
  logs(options: { uid: string; container: string; previous?: boolean; follow?: boolean }): Readable;
  onChange(listener: (uid: string) => void): () => void;
  close(): Promise<void>;
}
