import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { z } from 'zod';
import type { RuntimeContainer, RuntimePodSpec } from '../pod-runtime.js';
import { SandboxError } from '../sandbox-error.js';

const probeSchema = z
  .object({
    exec: z.object({ command: z.array(z.string()).min(1) }).optional(),
    tcpSocket: z.object({ port: z.number().int() }).optional(),
    httpGet: z
      .object({
        host: z.string().optional(),
        path: z.string().optional(),
        port: z.number().int(),
        scheme: z.enum(['HTTP', 'HTTPS']).optional(),
      })
      .optional(),
    periodSeconds: z.number().int().positive().optional(),
  })
  .optional();

const manifestSchema = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('Pod'),
  metadata: z.object({
    name: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.object({
    hostNetwork: z.boolean().optional(),
    restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).optional(),
    terminationGracePeriodSeconds: z.number().int().nonnegative().optional(),
    containers: z
      .array(
        z.object({
          name: z.string().min(1),
          image: z.string().min(1),
          command: z.array(z.string()).optional(),
          args: z.array(z.string()).optional(),
          workingDir: z.string().optional(),
          env: z.array(z.object({ name: z.string(), value: z.string().optional() })).optional(),
          volumeMounts: z
            .array(z.object({ name: z.string(), mountPath: z.string(), readOnly: z.boolean().optional() }))
            .optional(),
          readinessProbe: probeSchema,
        }),
      )
      .min(1),
    volumes: z
      .array(
        z.object({
          name: z.string(),
          hostPath: z.object({ path: z.string(), type: z.string().optional() }),
        }),
      )
      .optional(),
  }),
});

/** A parsed static pod manifest. */
export type StaticPodManifest = z.infer<typeof manifestSchema>;

/** Options of {@link staticPodFromManifest}. */
export interface StaticPodFromManifestOptions {
  /** The manifest text (YAML or JSON). */
  text: string;
  /** File name, for error messages. */
  fileName: string;
  /** The node the manifest lies on. */
  node: { name: string; ip: string; netns: string; root: string };
}

/** What the kubelet makes of one manifest file. */
export interface StaticPod {
  /** The mirror pod's name: `NAME-NODE` (e.g. `etcd-cp1`). */
  name: string;
  namespace: string;
  /** Changes with the file's content, so that a changed manifest is a new pod. */
  uid: string;
  manifest: StaticPodManifest;
  spec: RuntimePodSpec;
  /** Grace period when the manifest goes away or changes. Default 30 s. */
  gracePeriodSeconds: number;
  /** hostPath volumes of type `DirectoryOrCreate` / `FileOrCreate`, created (inside the node root) before the pod starts. */
  create: Array<{ path: string; kind: 'directory' | 'file' }>;
}

/**
 * Turns a static pod manifest into the pod the runtime runs, as the kubelet would: command and args
 * from the manifest (so flags added by hand take effect), hostPath volumes resolved inside the node
 * root, host network joining the node's namespace, readiness probes (an `httpGet` probe becomes a
 * `curl` exec), hostname the node's name.
 * @throws SandboxError `SANDBOX_MANIFEST_INVALID` naming the file and the first problem.
 */
export function staticPodFromManifest(options: StaticPodFromManifestOptions): StaticPod {
  const { node, fileName } = options;
  let document: unknown;
  try {
    document = parse(options.text);
  } catch (error) {
    throw invalid(fileName, node.name, `not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = manifestSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(
      fileName,
      node.name,
      `${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const manifest = parsed.data;
  const namespace = manifest.metadata.namespace ?? 'default';
  const name = `${manifest.metadata.name}-${node.name}`;
  const uid = createHash('sha256')
    .update(node.name)
    .update('\0')
    .update(options.text)
    .digest('hex')
    .slice(0, 32);
  const containers: RuntimeContainer[] = manifest.spec.containers.map((container) => {
    const command = [...(container.command ?? []), ...(container.args ?? [])];
    if (!container.command?.length) {
      throw invalid(
        fileName,
        node.name,
        `container ${container.name} has no command (the lab's images have no entrypoint)`,
      );
    }
    const readinessProbe = translateProbe({ probe: container.readinessProbe, ip: node.ip });
    return {
      name: container.name,
      image: container.image,
      command,
      ...(container.workingDir ? { workingDir: container.workingDir } : {}),
      env: (container.env ?? []).map((variable) => ({ name: variable.name, value: variable.value ?? '' })),
      volumeMounts: (container.volumeMounts ?? []).map((mount) => ({
        name: mount.name,
        mountPath: mount.mountPath,
        ...(mount.readOnly ? { readOnly: true } : {}),
      })),
      ...(readinessProbe ? { readinessProbe } : {}),
    };
  });
  const volumes = (manifest.spec.volumes ?? []).map((volume) => ({
    name: volume.name,
    hostPath: volume.hostPath.path,
  }));
  const create = (manifest.spec.volumes ?? []).flatMap((volume): StaticPod['create'] =>
    volume.hostPath.type === 'DirectoryOrCreate'
      ? [{ path: volume.hostPath.path, kind: 'directory' }]
      : volume.hostPath.type === 'FileOrCreate'
        ? [{ path: volume.hostPath.path, kind: 'file' }]
        : [],
  );
  return {
    name,
    namespace,
    uid,
    manifest,
    gracePeriodSeconds: manifest.spec.terminationGracePeriodSeconds ?? 30,
    create,
    spec: {
      uid,
      namespace,
      name,
      hostname: node.name,
      containers,
      volumes,
      restartPolicy: manifest.spec.restartPolicy ?? 'Always',
      network: manifest.spec.hostNetwork ? { kind: 'join', netns: node.netns, ip: node.ip } : { kind: 'own' },
      root: node.root,
    },
  };
}

function translateProbe(options: {
  probe: z.infer<typeof probeSchema>;
  ip: string;
}): RuntimeContainer['readinessProbe'] | undefined {
  const { probe } = options;
  if (!probe) return undefined;
  const period = probe.periodSeconds ? { periodSeconds: probe.periodSeconds } : {};
  if (probe.exec) return { exec: { command: probe.exec.command }, ...period };
  if (probe.tcpSocket) return { tcpSocket: { port: probe.tcpSocket.port }, ...period };
  if (probe.httpGet) {
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
    const url = `${scheme}://${probe.httpGet.host ?? options.ip}:${probe.httpGet.port}${probe.httpGet.path ?? '/'}`;
    return {
      exec: {
        command: [
          'curl',
          '-fsS',
          '-o',
          '/dev/null',
          '--max-time',
          '2',
          ...(scheme === 'https' ? ['-k'] : []),
          url,
        ],
      },
      ...period,
    };
  }
  return undefined;
}

function invalid(fileName: string, node: string, problem: string): SandboxError {
  return new SandboxError({
    code: 'SANDBOX_MANIFEST_INVALID',
    message: `static pod manifest ${fileName} on node ${node} is invalid: ${problem}`,
    remedy: 'fix the file under /etc/kubernetes/manifests on the node; the kubelet retries on each change',
  });
}
