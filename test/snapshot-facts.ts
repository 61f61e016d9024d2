import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { inspectSnapshot } from '@etcd-dr/sdk';

const execFileAsync = promisify(execFile);

/** What the real `etcdctl snapshot status -w json` says of a snapshot file (test helper). */
export async function etcdctlStatus(path: string): Promise<{ revision: number; totalKey: number }> {
  const { stdout } = await execFileAsync('etcdctl', ['snapshot', 'status', path, '-w', 'json'], {
    env: { ...process.env, ETCDCTL_API: '3' },
  });
  return JSON.parse(stdout) as { revision: number; totalKey: number };
}

/** Live configmaps per namespace in an `inspectSnapshot` result (test helper). */
export function configMapsIn(
  inspection: Awaited<ReturnType<typeof inspectSnapshot>>,
): Record<string, number> {
  return inspection.resources.find((resource) => resource.resource === 'configmaps')?.namespaces ?? {};
}
