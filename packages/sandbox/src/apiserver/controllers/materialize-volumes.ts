import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EtcdDrError } from '@etcd-dr/sdk';
import type { ApiContext } from '../api-context.js';
import type { LooseObject } from '../loose-object.js';
import type { RuntimeVolume } from '../pod-runtime-contract.js';
import { findResourceType } from '../resource-types.js';
import type { KubeObject } from '../storage/object-store.js';

const secretType = findResourceType({ group: '', version: 'v1', resource: 'secrets' })!;
const configMapType = findResourceType({ group: '', version: 'v1', resource: 'configmaps' })!;
const claimType = findResourceType({ group: '', version: 'v1', resource: 'persistentvolumeclaims' })!;

/** Where one pod's Secret, ConfigMap and emptyDir volumes live on the host. */
export function podVolumesDirectory(options: { dataDir: string; uid: string }): string {
  return path.join(options.dataDir, 'pod-volumes', options.uid);
}

/** A volume the kubelet cannot provide yet (missing Secret, ConfigMap or PVC), with the kubelet's wording. */
export class VolumeNotReady extends EtcdDrError {
  constructor(message: string) {
    super({
      code: 'POD_VOLUME_NOT_READY',
      message,
      remedy: 'create the referenced object; the pod starts once it exists',
      isRetryable: true,
    });
    this.name = 'VolumeNotReady';
  }
}

async function writeKeys(options: {
  directory: string;
  entries: Array<[string, Buffer]>;
  items: LooseObject[] | undefined;
  defaultMode: number;
}): Promise<void> {
  await mkdir(options.directory, { recursive: true, mode: 0o750 });
  const selected = options.items
    ? options.items.flatMap((item) => {
        const entry = options.entries.find(([key]) => key === item.key);
        return entry
          ? [
              {
                file: item.path as string,
                value: entry[1],
                mode: (item.mode as number | undefined) ?? options.defaultMode,
              },
            ]
          : [];
      })
    : options.entries.map(([key, value]) => ({ file: key, value, mode: options.defaultMode }));
  for (const { file, value, mode } of selected) {
    const target = path.join(options.directory, file);
    if (!target.startsWith(options.directory + path.sep)) continue;
    await mkdir(path.dirname(target), { recursive: true, mode: 0o750 });
    await writeFile(target, value, { mode });
  }
}

/**
 * Turns a pod's volumes into host directories for the runtime, as the kubelet does: Secret and ConfigMap
 * keys become files (`defaultMode`, default 0644 = 420) under `dataDir/pod-volumes/UID/NAME` (removed with
 * the pod), a PVC is the directory `dataDir/pvc/NS/CLAIM` (kept when the pod goes), emptyDir is per pod,
 * hostPath is used as is.
 * Throws {@link VolumeNotReady} when a referenced object does not exist.
 */
export async function materializeVolumes(options: {
  context: ApiContext;
  pod: KubeObject;
  dataDir: string;
}): Promise<RuntimeVolume[]> {
  const { context, pod, dataDir } = options;
  const namespace = pod.metadata!.namespace!;
  const podDir = podVolumesDirectory({ dataDir, uid: pod.metadata!.uid! });
  const volumes: RuntimeVolume[] = [];
  const get = async (type: typeof secretType, name: string, what: string): Promise<KubeObject> =>
    context.store.get({ type, namespace, name }).catch(() => {
      throw new VolumeNotReady(`${what} "${name}" not found`);
    });
  for (const volume of ((pod.spec as LooseObject | undefined)?.volumes ?? []) as LooseObject[]) {
    const name = volume.name as string;
    if (volume.secret) {
      const secret = await get(secretType, volume.secret.secretName, 'secret');
      const directory = path.join(podDir, name);
      const data = (secret.data ?? {}) as Record<string, string>;
      await writeKeys({
        directory,
        entries: Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
        items: volume.secret.items,
        defaultMode: volume.secret.defaultMode ?? 0o644,
      });
      volumes.push({ name, hostPath: directory, readOnly: true });
    } else if (volume.configMap) {
      const configMap = await get(configMapType, volume.configMap.name, 'configmap');
      const directory = path.join(podDir, name);
      const entries: Array<[string, Buffer]> = [
        ...Object.entries((configMap.data ?? {}) as Record<string, string>).map(
          ([key, value]): [string, Buffer] => [key, Buffer.from(value, 'utf8')],
        ),
        ...Object.entries((configMap.binaryData ?? {}) as Record<string, string>).map(
          ([key, value]): [string, Buffer] => [key, Buffer.from(value, 'base64')],
        ),
      ];
      await writeKeys({
        directory,
        entries,
        items: volume.configMap.items,
        defaultMode: volume.configMap.defaultMode ?? 0o644,
      });
      volumes.push({ name, hostPath: directory, readOnly: true });
    } else if (volume.persistentVolumeClaim) {
      const claimName = volume.persistentVolumeClaim.claimName as string;
      await get(claimType, claimName, 'persistentvolumeclaim');
      const directory = path.join(dataDir, 'pvc', namespace, claimName);
      await mkdir(directory, { recursive: true, mode: 0o700 });
      volumes.push({ name, hostPath: directory, readOnly: volume.persistentVolumeClaim.readOnly === true });
    } else if (volume.hostPath) {
      volumes.push({ name, hostPath: volume.hostPath.path });
    } else {
      const directory = path.join(podDir, name);
      await mkdir(directory, { recursive: true, mode: 0o750 });
      volumes.push({ name, hostPath: directory });
    }
  }
  return volumes;
}
