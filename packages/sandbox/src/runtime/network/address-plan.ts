import { createHash } from 'node:crypto';
import { SandboxError } from '../sandbox-error.js';
import {
  formatIpv4,
  formatIpv4Network,
  type Ipv4Network,
  networkSize,
  networksOverlap,
  parseIpv4Network,
} from './ipv4.js';

/** Linux refuses interface names longer than this (IFNAMSIZ - 1). */
export const maxInterfaceNameLength = 15;

/** A network already in use on the host, from `ip -j route` or `ip -j addr`. */
export interface UsedNetwork {
  network: Ipv4Network;
  /** Where it was seen, e.g. `route 10.0.0.0/8 dev eth0`, for error messages. */
  source: string;
}

/** Lists the IPv4 networks the host already routes or holds an address in. */
export function findUsedNetworks(options: { routes: unknown; addresses: unknown }): UsedNetwork[] {
  const used: UsedNetwork[] = [];
  for (const route of (options.routes as Array<{ dst?: string; dev?: string }>) ?? []) {
    if (!route.dst || route.dst === 'default') continue;
    const network = parseIpv4Network(route.dst);
    if (network) used.push({ network, source: `route ${route.dst}${route.dev ? ` dev ${route.dev}` : ''}` });
  }
  for (const link of (options.addresses as Array<{ ifname?: string; addr_info?: unknown[] }>) ?? []) {
    for (const info of (link.addr_info ?? []) as Array<{
      family?: string;
      local?: string;
      prefixlen?: number;
    }>) {
      if (info.family !== 'inet' || !info.local) continue;
      const network = parseIpv4Network(`${info.local}/${info.prefixlen ?? 32}`);
      if (network)
        used.push({ network, source: `address ${info.local}/${info.prefixlen} on ${link.ifname}` });
    }
  }
  return used;
}

/** Options of {@link chooseLabSubnet}. */
export interface ChooseLabSubnetOptions {
  /** A subnet asked for by the user (`a.b.c.d/len`, length 16 to 28). Default: the first free `10.213.N.0/24`. */
  requested?: string;
  used: UsedNetwork[];
  /** Where to start the search among `10.213.N.0/24` (0 to 255), so parallel labs spread out. Default 0. */
  start?: number;
  /** Candidate third octets to skip (tried and lost to another lab). Default none. */
  exclude?: ReadonlySet<number>;
}

/**
 * Picks the lab subnet: the requested one when nothing on the host overlaps it, else the first
 * `10.213.N.0/24` that overlaps nothing.
 * @throws SandboxError `SANDBOX_SUBNET_INVALID` (malformed or wrong size) or `SANDBOX_SUBNET_CONFLICT`
 * (naming the route or address it overlaps).
 */
export function chooseLabSubnet(options: ChooseLabSubnetOptions): Ipv4Network {
  if (options.requested !== undefined) {
    const network = parseIpv4Network(options.requested);
    if (
      !network ||
      network.prefixLength < 16 ||
      network.prefixLength > 28 ||
      !options.requested.includes('/')
    ) {
      throw new SandboxError({
        code: 'SANDBOX_SUBNET_INVALID',
        message: `lab subnet "${options.requested}" is not an IPv4 network of length /16 to /28`,
        remedy: 'pass a private network such as 10.213.7.0/24',
      });
    }
    const conflict = options.used.find((used) => networksOverlap(used.network, network));
    if (conflict) {
      throw new SandboxError({
        code: 'SANDBOX_SUBNET_CONFLICT',
        message: `lab subnet ${formatIpv4Network(network)} overlaps the host's ${conflict.source}`,
        remedy: 'pick another subnet, or let the sandbox choose a free 10.213.N.0/24',
      });
    }
    return network;
  }
  for (let offset = 0; offset < 256; offset++) {
    const octet = ((options.start ?? 0) + offset) % 256;
    if (options.exclude?.has(octet)) continue;
    const network = parseIpv4Network(`10.213.${octet}.0/24`)!;
    if (!options.used.some((used) => networksOverlap(used.network, network))) return network;
  }
  throw new SandboxError({
    code: 'SANDBOX_SUBNET_CONFLICT',
    message: 'every 10.213.N.0/24 overlaps a route or address of the host',
    remedy: 'pass a free subnet explicitly, or tear down old labs (`etcd-dr sandbox down`)',
  });
}

/** The bridge's address: the first host address of the subnet. */
export function gatewayAddress(subnet: Ipv4Network): string {
  return formatIpv4(subnet.base + 1);
}

/**
 * Gives a stable address to a key (e.g. `NAMESPACE/POD`): a hash picks the first candidate and
 * collisions move to the next free one, so a key keeps its address as long as the set of others does.
 * @throws SandboxError `SANDBOX_ADDRESS_EXHAUSTED` when every address is taken.
 */
export function allocateAddress(options: {
  subnet: Ipv4Network;
  key: string;
  taken: ReadonlySet<string>;
}): string {
  const first = options.subnet.base + 2;
  const count = networkSize(options.subnet) - 3;
  const hash = createHash('sha256').update(options.key).digest().readUInt32BE(0);
  for (let offset = 0; offset < count; offset++) {
    const address = formatIpv4(first + ((hash + offset) % count));
    if (!options.taken.has(address)) return address;
  }
  throw new SandboxError({
    code: 'SANDBOX_ADDRESS_EXHAUSTED',
    message: `no free address left in lab subnet ${formatIpv4Network(options.subnet)} for ${options.key}`,
    remedy: 'use a larger lab subnet',
  });
}

/** Name of the lab bridge: `<prefix>br`. */
export function bridgeName(prefix: string): string {
  return `${prefix}br`;
}

/** Name of a host-side veth: `<prefix>v<n in base 36>`, at most 15 characters. */
export function hostLinkName(options: { prefix: string; index: number }): string {
  const name = `${options.prefix}v${options.index.toString(36)}`;
  if (name.length > maxInterfaceNameLength) {
    throw new SandboxError({
      code: 'SANDBOX_ADDRESS_EXHAUSTED',
      message: `interface name ${name} is longer than ${maxInterfaceNameLength} characters`,
      remedy: 'start a new lab: this one has created too many links',
    });
  }
  return name;
}

/** Name of a network namespace: `<prefix>-<label>` (label lower-cased, other characters as dashes). */
export function netnsName(options: { prefix: string; label: string }): string {
  const label = options.label
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
  return `${options.prefix}-${label || 'pod'}`;
}

/** One line of the lab hosts file. */
export interface HostsEntry {
  ip: string;
  names: string[];
}

/** Renders the lab's `/etc/hosts`: localhost first, then one line per entry in the given order. */
export function renderHostsFile(entries: readonly HostsEntry[]): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const entry of entries)
    if (entry.names.length > 0) lines.push(`${entry.ip}\t${entry.names.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The names a pod answers to in the lab hosts file, as Kubernetes DNS would give them: with a
 * subdomain (a headless service) `HOSTNAME.SUBDOMAIN`, `HOSTNAME.SUBDOMAIN.NAMESPACE.svc` and the
 * `.cluster.local` form; without, the hostname itself.
 */
export function podHostNames(options: { hostname: string; subdomain?: string; namespace: string }): string[] {
  if (!options.subdomain) return [options.hostname];
  const short = `${options.hostname}.${options.subdomain}`;
  return [`${short}.${options.namespace}.svc.cluster.local`, `${short}.${options.namespace}.svc`, short];
}
