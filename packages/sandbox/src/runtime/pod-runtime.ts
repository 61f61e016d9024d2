import type { Readable, Writable } from 'node:stream';

/** A directory on the host that containers mount; the apiserver glue materialises secrets and PVCs. */
export interface RuntimeVolume {
  name: string;
  /** Host path; with {@link RuntimePodSpec.root} it resolves inside that root. Must exist. */
  hostPath: string;
  readOnly?: boolean;
}

/** One container of a pod. */
export interface RuntimeContainer {
  name: string;
  /** Decides nothing about binaries (they come from the host's /usr); unknown images fail with `ErrImagePull`. */
  image: string;
  /** The full command line (Kubernetes `command` + `args`). */
  command: string[];
  /** Default `/`. */
  workingDir?: string;
  env?: Array<{ name: string; value: string }>;
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  /** `exec` runs inside the container; `tcpSocket` connects inside the pod's netns. Period default 10 s. */
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
  /** `own`: a netns on the lab bridge; `join`: hostNetwork-style, the existing netns of a node. */
  network: { kind: 'own' } | { kind: 'join'; netns: string; ip: string };
  /** Optional node root (CPv2 nodes): host paths resolve inside it. */
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

/** Kubernetes-shaped status of a pod. */
export interface RuntimePodStatus {
  uid: string;
  ip?: string;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  containers: RuntimeContainerStatus[];
}

/** A command running inside a container: streamed stdio and its exit. */
export interface ExecSession {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Resolves once the command ended and its output was drained. */
  exit: Promise<{ exitCode: number } | { error: string }>;
  kill(signal?: NodeJS.Signals): void;
}

/** The contract between the simulated API server (kubelet glue) and the host runtime. */
export interface PodRuntime {
  /** Starts a pod; a second call with the same uid does nothing. */
  runPod(spec: RuntimePodSpec): Promise<void>;
  /** SIGTERM, grace, SIGKILL; removes the netns and the pod dir, never the volumes. */
  killPod(uid: string, options?: { gracePeriodSeconds?: number }): Promise<void>;
  podStatus(uid: string): RuntimePodStatus | undefined;
  exec(options: { uid: string; container: string; command: string[]; tty: boolean }): ExecSession;
  /**
   * Streams a container's log. `follow` (an optional extension of the DESIGN.md contract; default false)
   * keeps the stream open until that container start ends.
   */
  logs(options: { uid: string; container: string; previous?: boolean; follow?: boolean }): Readable;
  /** Called with the uid whenever a pod's status changed; returns the unsubscribe function. */
  onChange(listener: (uid: string) => void): () => void;
  /** Kills every pod. */
  close(): Promise<void>;
}
