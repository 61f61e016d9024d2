import type { LooseObject } from '../loose-object.js';
import type { RuntimePodSpec, RuntimeVolume } from '../pod-runtime-contract.js';
import type { KubeObject } from '../storage/object-store.js';

/** Translates an API Pod into the runtime's pod spec (pure). */
export function runtimePodSpec(options: {
  pod: KubeObject;
  volumes: RuntimeVolume[];
  hostNetwork?: { netns: string; ip: string };
  root?: string;
}): RuntimePodSpec {
  const { pod } = options;
  const metadata = pod.metadata!;
  const spec = (pod.spec ?? {}) as LooseObject;
  const fieldValue = (fieldPath: string): string | undefined =>
    ({
      'metadata.name': metadata.name,
      'metadata.namespace': metadata.namespace,
      'spec.nodeName': spec.nodeName,
    })[fieldPath];
  return {
    uid: metadata.uid!,
    namespace: metadata.namespace!,
    name: metadata.name!,
    hostname: spec.hostname ?? metadata.name!,
    ...(spec.subdomain ? { subdomain: spec.subdomain } : {}),
    containers: ((spec.containers ?? []) as LooseObject[]).map((container) => {
      const command = [...(container.command ?? []), ...(container.args ?? [])] as string[];
      return {
        name: container.name,
        image: container.image,
        command: command.length > 0 ? command : ['sleep', 'infinity'],
        ...(container.workingDir ? { workingDir: container.workingDir } : {}),
        env: ((container.env ?? []) as LooseObject[]).flatMap((entry) => {
          if (typeof entry.value === 'string') return [{ name: entry.name, value: entry.value }];
          const value = entry.valueFrom?.fieldRef
            ? fieldValue(entry.valueFrom.fieldRef.fieldPath)
            : undefined;
          return value === undefined ? [] : [{ name: entry.name, value }];
        }),
        volumeMounts: ((container.volumeMounts ?? []) as LooseObject[]).map((mount) => ({
          name: mount.name,
          mountPath: mount.mountPath,
          ...(mount.readOnly ? { readOnly: true } : {}),
        })),
        ...(container.readinessProbe
          ? {
              readinessProbe: {
                ...(container.readinessProbe.exec
                  ? { exec: { command: container.readinessProbe.exec.command } }
                  : {}),
                ...(container.readinessProbe.tcpSocket
                  ? { tcpSocket: { port: Number(container.readinessProbe.tcpSocket.port) } }
                  : {}),
                ...(container.readinessProbe.periodSeconds
                  ? { periodSeconds: container.readinessProbe.periodSeconds }
                  : {}),
              },
            }
          : {}),
      };
    }),
    volumes: options.volumes,
    restartPolicy: spec.restartPolicy ?? 'Always',
    network:
      spec.hostNetwork && options.hostNetwork ? { kind: 'join', ...options.hostNetwork } : { kind: 'own' },
    ...(options.root ? { root: options.root } : {}),
  };
}
