import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabState } from '../lab-state.js';
import { runCommand } from '../run-command.js';
import { SandboxError } from '../sandbox-error.js';
import {
  allocateAddress,
  bridgeName,
  chooseLabSubnet,
  findUsedNetworks,
  gatewayAddress,
  type HostsEntry,
  hostLinkName,
  netnsName,
  renderHostsFile,
  type UsedNetwork,
} from './address-plan.js';
import { formatIpv4Network, type Ipv4Network, networksOverlap } from './ipv4.js';

/** Options of {@link LabNetwork.create}. */
export interface CreateLabNetworkOptions {
  /** The lab's journal; every netns and link is recorded in it before it is created. */
  state: LabState;
  /** Lab subnet, e.g. `10.213.7.0/24`. Default: a free `10.213.N.0/24`. */
  subnet?: string;
}

/** A network namespace attached to the lab bridge. */
export interface LabAttachment {
  /** Name under `/run/netns`. */
  netns: string;
  /** The host-side veth on the bridge. */
  hostLink: string;
  /** The address of `eth0` inside the namespace. */
  ip: string;
}

/**
 * The lab network: one bridge in the host netns holding the subnet's first address, and a network
 * namespace per pod or node joined to it by a veth pair (`eth0` inside, `lo` up, default route via the
 * bridge). It also owns the lab hosts file `DIR/hosts`, rewritten in place (so that read-only bind
 * mounts of it in running pods see each change).
 */
export class LabNetwork {
  readonly state: LabState;
  readonly subnet: Ipv4Network;
  readonly bridge: string;
  readonly gateway: string;
  readonly hostsPath: string;
  readonly #addresses = new Map<string, string>();
  readonly #inUse = new Set<string>();
  readonly #activeNetns = new Set<string>();
  readonly #hostsEntries = new Map<string, HostsEntry>();
  #linkIndex = 0;

  private constructor(state: LabState, subnet: Ipv4Network) {
    this.state = state;
    this.subnet = subnet;
    this.bridge = bridgeName(state.prefix);
    this.gateway = gatewayAddress(subnet);
    this.hostsPath = join(state.dir, 'hosts');
  }

  /**
   * Creates the bridge on a free subnet (or the requested one) and an empty hosts file.
   * @throws SandboxError `SANDBOX_SUBNET_INVALID` or `SANDBOX_SUBNET_CONFLICT` before creating anything.
   */
  static async create(options: CreateLabNetworkOptions): Promise<LabNetwork> {
    const lost = new Set<number>();
    const start = randomInt(256);
    for (let attempt = 0; attempt < 8; attempt++) {
      const subnet = chooseLabSubnet({
        used: await readUsedNetworks(),
        start,
        exclude: lost,
        ...(options.subnet ? { requested: options.subnet } : {}),
      });
      const network = new LabNetwork(options.state, subnet);
      await network.#createBridge();
      const rival = (await readUsedNetworks()).find(
        (used) => networksOverlap(used.network, subnet) && !used.source.includes(network.bridge),
      );
      if (!rival) {
        network.#writeHosts();
        return network;
      }
      // Another lab took the same subnet between our check and our address: give it up and retry.
      await network.#deleteBridge();
      if (options.subnet) {
        throw new SandboxError({
          code: 'SANDBOX_SUBNET_CONFLICT',
          message: `lab subnet ${formatIpv4Network(subnet)} was just taken by the host's ${rival.source}`,
          remedy: 'pick another subnet',
        });
      }
      lost.add(Math.floor(subnet.base / 256) % 256);
    }
    throw new SandboxError({
      code: 'SANDBOX_SUBNET_CONFLICT',
      message: 'could not claim a free 10.213.N.0/24: other labs kept taking the same one',
      remedy: 'pass a subnet explicitly',
    });
  }

  /** `a.b.c.d/len` of the lab subnet. */
  get cidr(): string {
    return formatIpv4Network(this.subnet);
  }

  /**
   * Creates a network namespace on the bridge with a stable address for `key` (the same key gets the
   * same address again after a detach), and adds `hostNames` for it to the hosts file.
   */
  async attach(options: { key: string; label: string; hostNames?: string[] }): Promise<LabAttachment> {
    const ip = this.addressFor(options.key);
    this.#inUse.add(ip);
    let netns = netnsName({ prefix: this.state.prefix, label: options.label });
    if (this.#activeNetns.has(netns)) netns = `${netns}-${(this.#linkIndex + 1).toString(36)}`;
    this.#activeNetns.add(netns);
    const hostLink = hostLinkName({ prefix: this.state.prefix, index: this.#linkIndex++ });
    try {
      this.state.record({ kind: 'netns', name: netns });
      await runCommand({ command: 'ip', args: ['netns', 'add', netns] });
      this.state.record({ kind: 'link', name: hostLink });
      await runCommand({
        command: 'ip',
        args: ['-batch', '-'],
        input: [
          `link add ${hostLink} type veth peer name eth0 netns ${netns}`,
          `link set ${hostLink} master ${this.bridge} up`,
        ].join('\n'),
      });
      await runCommand({
        command: 'ip',
        args: ['-n', netns, '-batch', '-'],
        input: [
          'link set lo up',
          `addr add ${ip}/${this.subnet.prefixLength} dev eth0`,
          'link set eth0 up',
          `route add default via ${this.gateway}`,
        ].join('\n'),
      });
    } catch (error) {
      await this.detach({ netns, hostLink, ip });
      throw error;
    }
    if (options.hostNames) this.setHostsEntry({ key: options.key, ip, names: options.hostNames });
    return { netns, hostLink, ip };
  }

  /** Deletes the namespace and its veth pair (the address stays reserved for the same key). */
  async detach(attachment: LabAttachment): Promise<void> {
    await runCommand({ command: 'ip', args: ['netns', 'del', attachment.netns], allowFailure: true });
    this.state.forget({ kind: 'netns', name: attachment.netns });
    await runCommand({ command: 'ip', args: ['link', 'del', attachment.hostLink], allowFailure: true });
    this.state.forget({ kind: 'link', name: attachment.hostLink });
    this.#activeNetns.delete(attachment.netns);
    this.#inUse.delete(attachment.ip);
  }

  /** The address reserved for a key, reserving one now if needed. */
  addressFor(key: string): string {
    let ip = this.#addresses.get(key);
    if (!ip) {
      ip = allocateAddress({ subnet: this.subnet, key, taken: new Set(this.#addresses.values()) });
      this.#addresses.set(key, ip);
    }
    return ip;
  }

  /** Sets the hosts-file line of a key (replacing its previous one) and rewrites the file. */
  setHostsEntry(options: { key: string; ip: string; names: string[] }): void {
    this.#hostsEntries.set(options.key, { ip: options.ip, names: options.names });
    this.#writeHosts();
  }

  /** Removes the hosts-file line of a key and rewrites the file. */
  removeHostsEntry(key: string): void {
    if (this.#hostsEntries.delete(key)) this.#writeHosts();
  }

  /** Deletes the bridge (pods must be detached first) and the hosts file. */
  async close(): Promise<void> {
    await this.#deleteBridge();
  }

  async #createBridge(): Promise<void> {
    this.state.record({ kind: 'link', name: this.bridge });
    this.state.record({ kind: 'file', path: this.hostsPath });
    await runCommand({
      command: 'ip',
      args: ['-batch', '-'],
      input: [
        `link add ${this.bridge} type bridge`,
        `addr add ${this.gateway}/${this.subnet.prefixLength} dev ${this.bridge}`,
        `link set ${this.bridge} up`,
      ].join('\n'),
    }).catch(async (error: unknown) => {
      await this.#deleteBridge();
      throw error;
    });
  }

  async #deleteBridge(): Promise<void> {
    await runCommand({ command: 'ip', args: ['link', 'del', this.bridge], allowFailure: true });
    this.state.forget({ kind: 'link', name: this.bridge });
    await rm(this.hostsPath, { force: true });
    this.state.forget({ kind: 'file', path: this.hostsPath });
  }

  #writeHosts(): void {
    // In place, never by rename: pods bind-mount this inode.
    writeFileSync(this.hostsPath, renderHostsFile([...this.#hostsEntries.values()]), { mode: 0o644 });
  }
}

async function readUsedNetworks(): Promise<UsedNetwork[]> {
  const [routes, addresses] = await Promise.all([
    runCommand({ command: 'ip', args: ['-j', '-4', 'route', 'show', 'table', 'all'] }),
    runCommand({ command: 'ip', args: ['-j', '-4', 'addr'] }),
  ]);
  return findUsedNetworks({
    routes: JSON.parse(routes.stdout || '[]'),
    addresses: JSON.parse(addresses.stdout || '[]'),
  });
}
