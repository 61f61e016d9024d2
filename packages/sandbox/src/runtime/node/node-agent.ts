import { createHash } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { mkdir, open, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { PodRuntime, RuntimePodStatus } from '../pod-runtime.js';
import { SandboxError } from '../sandbox-error.js';
import { type StaticPod, type StaticPodManifest, staticPodFromManifest } from './static-pod-from-manifest.js';

/** One static pod as the node agent reports it (the lab turns it into a mirror pod). */
export interface StaticPodReport {
  /** The manifest's file name under /etc/kubernetes/manifests. */
  file: string;
  /** Mirror pod name, `NAME-NODE` (e.g. `etcd-cp1`). */
  name: string;
  namespace: string;
  /** The runtime's uid of the running pod (for status, exec and logs). */
  uid: string;
  node: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The manifest as parsed, for the mirror pod's spec. */
  manifest: StaticPodManifest;
  /** Undefined until the runtime knows the pod. */
  status: RuntimePodStatus | undefined;
}

/** Options of {@link NodeAgent.start}. */
export interface StartNodeAgentOptions {
  /** The node whose `/etc/kubernetes/manifests` is watched. */
  node: { name: string; ip: string; netns: string; root: string };
  runtime: PodRuntime;
  /** How often the directory is rescanned besides file-system events, in ms. Default 1000. */
  pollIntervalMs?: number;
  /** Called with a manifest that cannot be run (the previous pod of that file keeps running). */
  onError?: (error: SandboxError) => void;
}

interface Entry {
  hash: string;
  pod: StaticPod;
}

/**
 * The kubelet part of a lab node: it watches `NODEROOT/etc/kubernetes/manifests` (every regular file
 * whose name does not start with a dot, as the kubelet does) and keeps one runtime pod per manifest:
 * a file appearing starts its pod, disappearing stops it, changing stops the old pod and starts the new
 * one. Listeners get the full set of static pods on every change of files or of pod status.
 */
export class NodeAgent {
  readonly #options: StartNodeAgentOptions;
  readonly #directory: string;
  readonly #entries = new Map<string, Entry>();
  readonly #failed = new Map<string, string>();
  readonly #listeners = new Set<(pods: StaticPodReport[]) => void>();
  #queue: Promise<void> = Promise.resolve();
  #pendingSync = false;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  private constructor(options: StartNodeAgentOptions) {
    this.#options = options;
    this.#directory = join(options.node.root, 'etc/kubernetes/manifests');
  }

  /** Starts watching; resolves after the first scan has started the pods of the manifests present. */
  static async start(options: StartNodeAgentOptions): Promise<NodeAgent> {
    const agent = new NodeAgent(options);
    agent.#unsubscribe = options.runtime.onChange((uid) => {
      if ([...agent.#entries.values()].some((entry) => entry.pod.uid === uid)) agent.#emit();
    });
    await agent.sync();
    agent.#watch();
    agent.#timer = setInterval(() => void agent.sync(), options.pollIntervalMs ?? 1000);
    agent.#timer.unref();
    return agent;
  }

  /** The static pods of the node now. */
  pods(): StaticPodReport[] {
    return [...this.#entries.entries()]
      .sort(([left], [right]) => left.localeCompare(right))
      .map(([file, entry]) => ({
        file,
        name: entry.pod.name,
        namespace: entry.pod.namespace,
        uid: entry.pod.uid,
        node: this.#options.node.name,
        labels: { ...(entry.pod.manifest.metadata.labels ?? {}) },
        annotations: { ...(entry.pod.manifest.metadata.annotations ?? {}) },
        manifest: entry.pod.manifest,
        status: this.#options.runtime.podStatus(entry.pod.uid),
      }));
  }

  /** Subscribes to changes of the set of static pods or their status; returns the unsubscribe function. */
  onChange(listener: (pods: StaticPodReport[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Rescans the manifests directory now (scans never overlap). */
  sync(): Promise<void> {
    if (this.#pendingSync) return this.#queue;
    this.#pendingSync = true;
    this.#queue = this.#queue.then(async () => {
      this.#pendingSync = false;
      if (!this.#stopped) await this.#scan();
    });
    return this.#queue;
  }

  /** Stops watching and stops every static pod of the node (grace period 2 s). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#watcher?.close();
    this.#unsubscribe?.();
    await this.#queue;
    await Promise.all(
      [...this.#entries.values()].map((entry) =>
        this.#options.runtime.killPod(entry.pod.uid, { gracePeriodSeconds: 2 }),
      ),
    );
    this.#entries.clear();
    this.#emit();
  }

  #watch(): void {
    try {
      this.#watcher = watch(this.#directory, () => void this.sync());
      this.#watcher.on('error', () => {
        this.#watcher?.close();
        this.#watcher = undefined;
      });
    } catch {
      // Directory missing: the periodic scan keeps looking.
    }
  }

  async #scan(): Promise<void> {
    const files = new Map<string, string>();
    try {
      for (const name of await readdir(this.#directory)) {
        if (name.startsWith('.')) continue;
        const path = join(this.#directory, name);
        try {
          if ((await stat(path)).isFile()) files.set(name, await readFile(path, 'utf8'));
        } catch {}
      }
    } catch {}
    let changed = false;
    for (const [file, entry] of [...this.#entries]) {
      if (files.has(file)) continue;
      this.#entries.delete(file);
      changed = true;
      await this.#options.runtime.killPod(entry.pod.uid, {
        gracePeriodSeconds: entry.pod.gracePeriodSeconds,
      });
    }
    for (const file of [...this.#failed.keys()]) if (!files.has(file)) this.#failed.delete(file);
    for (const [file, text] of files) {
      const hash = createHash('sha256').update(text).digest('hex');
      const current = this.#entries.get(file);
      if (current?.hash === hash || this.#failed.get(file) === hash) continue;
      let pod: StaticPod;
      try {
        pod = staticPodFromManifest({ text, fileName: file, node: this.#options.node });
        const clash = [...this.#entries].find(
          ([other, entry]) => other !== file && entry.pod.name === pod.name,
        );
        if (clash) {
          throw new SandboxError({
            code: 'SANDBOX_MANIFEST_INVALID',
            message: `static pod manifest ${file} on node ${this.#options.node.name} defines pod ${pod.name}, which ${clash[0]} already defines`,
            remedy: 'remove one of the two files',
          });
        }
      } catch (error) {
        this.#failed.set(file, hash);
        this.#options.onError?.(error as SandboxError);
        continue;
      }
      this.#failed.delete(file);
      if (current) {
        this.#entries.delete(file);
        await this.#options.runtime.killPod(current.pod.uid, {
          gracePeriodSeconds: current.pod.gracePeriodSeconds,
        });
      }
      await this.#createHostPaths(pod);
      this.#entries.set(file, { hash, pod });
      changed = true;
      try {
        await this.#options.runtime.runPod(pod.spec);
      } catch (error) {
        this.#entries.delete(file);
        this.#failed.set(file, hash);
        this.#options.onError?.(error as SandboxError);
      }
    }
    if (changed) this.#emit();
  }

  async #createHostPaths(pod: StaticPod): Promise<void> {
    for (const item of pod.create) {
      const path = join(this.#options.node.root, normalize(item.path));
      try {
        if (item.kind === 'directory') {
          await mkdir(path, { recursive: true, mode: 0o755 });
        } else {
          await mkdir(dirname(path), { recursive: true, mode: 0o755 });
          await (await open(path, 'a', 0o644)).close();
        }
      } catch {}
    }
  }

  #emit(): void {
    const pods = this.pods();
    for (const listener of this.#listeners) {
      try {
        listener(pods);
      } catch {}
    }
  }
}
