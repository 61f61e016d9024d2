import { parse } from 'yaml';

/** What a restore needs from a node's `etcd.yaml` static pod manifest. */
export interface EtcdManifestFacts {
  /** `--name`. */
  memberName: string;
  /** `--initial-advertise-peer-urls` (the first when several). */
  peerUrl: string;
  /** `--advertise-client-urls` (the first), else the peer URL's host on port 2379. */
  clientUrl: string;
  /** `--initial-cluster`, as `name=url` pairs in manifest order. */
  initialCluster: Array<{ name: string; peerUrl: string }>;
  /** `--initial-cluster-token`, when set. */
  initialClusterToken: string | undefined;
  /** `--initial-cluster-state`, when set. */
  initialClusterState: string | undefined;
  /** `--data-dir` inside the container. */
  dataDir: string;
  /** The node path mounted at `dataDir` (the hostPath volume), e.g. `/opt/data/var/lib/etcd`. */
  dataHostPath: string;
  /** The etcd container's image. */
  image: string | undefined;
}

interface ManifestContainer {
  name?: unknown;
  image?: unknown;
  command?: unknown;
  args?: unknown;
  volumeMounts?: Array<{ name?: unknown; mountPath?: unknown }>;
}

/**
 * Reads the facts of a kubeadm-style `etcd.yaml` (GDC Controlplane V2 nodes): flags of the `etcd` container
 * (`--flag=value` or `--flag value`, in `command` or `args`) and the hostPath behind `--data-dir`.
 * @throws Error naming the missing field; the caller adds the node and the file.
 */
export function parseEtcdManifest(options: { text: string }): EtcdManifestFacts {
  const document = parse(options.text) as {
    spec?: {
      containers?: ManifestContainer[];
      volumes?: Array<{ name?: unknown; hostPath?: { path?: unknown } }>;
    };
  } | null;
  const containers = document?.spec?.containers ?? [];
  const container =
    containers.find((candidate) => candidate.name === 'etcd') ??
    containers.find((candidate) => Array.isArray(candidate.command) && candidate.command[0] === 'etcd');
  if (!container) throw new Error('it has no container named etcd');
  const words = [...asStrings(container.command), ...asStrings(container.args)];
  const flags = new Map<string, string>();
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    if (!word.startsWith('--')) continue;
    const equals = word.indexOf('=');
    if (equals !== -1) flags.set(word.slice(2, equals), word.slice(equals + 1));
    else if (index + 1 < words.length && !words[index + 1]!.startsWith('--'))
      flags.set(word.slice(2), words[++index]!);
  }
  const required = (name: string): string => {
    const value = flags.get(name);
    if (!value) throw new Error(`the etcd container has no --${name}`);
    return value;
  };
  const memberName = required('name');
  const peerUrl = required('initial-advertise-peer-urls').split(',')[0]!;
  const initialCluster = required('initial-cluster')
    .split(',')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals <= 0) throw new Error(`--initial-cluster entry ${JSON.stringify(pair)} is not name=url`);
      return { name: pair.slice(0, equals), peerUrl: pair.slice(equals + 1) };
    });
  const dataDir = (flags.get('data-dir') ?? '/var/lib/etcd').replace(/\/+$/, '');
  const mount = (container.volumeMounts ?? []).find(
    (candidate) =>
      typeof candidate.mountPath === 'string' && candidate.mountPath.replace(/\/+$/, '') === dataDir,
  );
  const volume = (document?.spec?.volumes ?? []).find((candidate) => candidate.name === mount?.name);
  const hostPath = volume?.hostPath?.path;
  if (typeof hostPath !== 'string' || !hostPath.startsWith('/')) {
    throw new Error(`no hostPath volume is mounted at the data dir ${dataDir}`);
  }
  const clientUrl = flags.get('advertise-client-urls')?.split(',')[0] ?? peerUrl.replace(/:\d+\/?$/, ':2379');
  return {
    memberName,
    peerUrl,
    clientUrl,
    initialCluster,
    initialClusterToken: flags.get('initial-cluster-token'),
    initialClusterState: flags.get('initial-cluster-state'),
    dataDir,
    dataHostPath: hostPath.replace(/\/+$/, ''),
    image: typeof container.image === 'string' ? container.image : undefined,
  };
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
