import type { ExecSession, PodRuntime, RuntimePodSpec, RuntimePodStatus } from '../runtime/pod-runtime.js';

/**
 * A PodRuntime view in which a few API pod uids stand for pods the lab started itself (static pods and
 * their mirror pods: the admin etcd, which must run before any API server can store a pod object). Exec,
 * logs and status of the mirror pod reach the static pod, as with the real kubelet.
 */
export class AliasingPodRuntime implements PodRuntime {
  readonly #inner: PodRuntime;
  readonly #toRuntime = new Map<string, string>();
  readonly #toApi = new Map<string, string>();

  constructor(inner: PodRuntime) {
    this.#inner = inner;
  }

  /** Makes `apiUid` (the mirror pod object's uid) an alias of `runtimeUid`. */
  alias(options: { apiUid: string; runtimeUid: string }): void {
    this.#toRuntime.set(options.apiUid, options.runtimeUid);
    this.#toApi.set(options.runtimeUid, options.apiUid);
  }

  #resolve(uid: string): string {
    return this.#toRuntime.get(uid) ?? uid;
  }

  runPod(spec: RuntimePodSpec): Promise<void> {
    return this.#inner.runPod(spec);
  }

  killPod(uid: string, options?: { gracePeriodSeconds?: number }): Promise<void> {
    return this.#inner.killPod(this.#resolve(uid), options);
  }

  podStatus(uid: string): RuntimePodStatus | undefined {
    const status = this.#inner.podStatus(this.#resolve(uid));
    return status ? { ...status, uid } : undefined;
  }

  exec(options: { uid: string; container: string; command: string[]; tty: boolean }): ExecSession {
    return this.#inner.exec({ ...options, uid: this.#resolve(options.uid) });
  }

  logs(options: { uid: string; container: string; previous?: boolean }) {
    return this.#inner.logs({ ...options, uid: this.#resolve(options.uid) });
  }

  onChange(listener: (uid: string) => void): () => void {
    return this.#inner.onChange((uid) => listener(this.#toApi.get(uid) ?? uid));
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
