import { Writable } from 'node:stream';
import { type KubeConnection, type RegistrySummary, summarizeRegistryKeys } from '@etcd-dr/sdk';
import { VerifyError } from '../verify-error.js';
import { type EtcdCertificates, listKeysCommand } from './control-plane-layout.js';

/** Options of {@link readLiveInventory}. */
export interface ReadLiveInventoryOptions {
  /** The API that serves the etcd pod (admin cluster for Kubeception, user cluster for Controlplane V2). */
  kube: KubeConnection;
  namespace: string;
  pod: string;
  container: string;
  certificates: EtcdCertificates;
  /** Fail when listing takes longer. Default 120 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The live store's inventory, counted the way a bundle's is. */
export interface LiveInventory extends RegistrySummary {
  /** The member the keys were read from. */
  pod: string;
}

/**
 * Lists every key of the live store (`etcdctl get '' --prefix --keys-only` in the member's own container:
 * names only, never values) and counts them per resource and namespace with `summarizeRegistryKeys`, exactly
 * as `inspectSnapshot` counts a bundle's snapshot, so the two compare key for key. Output is streamed.
 * @throws VerifyError `VERIFY_LIVE_INVENTORY_FAILED` when etcdctl fails; KubeError when the exec cannot run.
 */
export async function readLiveInventory(options: ReadLiveInventoryOptions): Promise<LiveInventory> {
  const keys: string[] = [];
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line !== '') keys.push(line);
      done();
    },
  });
  const result = await options.kube.exec({
    namespace: options.namespace,
    pod: options.pod,
    container: options.container,
    command: listKeysCommand(options.certificates),
    stdout: sink,
    timeoutMs: options.timeoutMs ?? 120_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (partial !== '') keys.push(partial);
  if (result.exitCode !== 0) {
    throw new VerifyError({
      code: 'VERIFY_LIVE_INVENTORY_FAILED',
      message: `listing the keys in pod ${options.namespace}/${options.pod} exited with ${result.exitCode}: ${result.stderr.trim().split('\n').at(-1) ?? ''}`,
      remedy: 'check that the etcd member is healthy (etcd-dr verify without --against) and try again',
      isRetryable: true,
    });
  }
  return { pod: options.pod, ...summarizeRegistryKeys({ keys }) };
}
