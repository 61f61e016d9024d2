import { describe, expect, it } from 'vitest';
import {
  allocateAddress,
  chooseLabSubnet,
  findUsedNetworks,
  hostLinkName,
  maxInterfaceNameLength,
  netnsName,
  podHostNames,
  renderHostsFile,
} from './address-plan.js';
import { formatIpv4Network, networksOverlap, parseIpv4Network } from './ipv4.js';

const used = (cidr: string, source = `route ${cidr}`) => ({ network: parseIpv4Network(cidr)!, source });

describe('ipv4', () => {
  it('parses networks to their base and detects overlaps', () => {
    expect(formatIpv4Network(parseIpv4Network('10.213.4.77/24')!)).toBe('10.213.4.0/24');
    expect(parseIpv4Network('10.213.4.300/24')).toBeUndefined();
    expect(parseIpv4Network('10.1.2.3/33')).toBeUndefined();
    expect(networksOverlap(parseIpv4Network('10.0.0.0/8')!, parseIpv4Network('10.213.4.0/24')!)).toBe(true);
    expect(networksOverlap(parseIpv4Network('10.213.3.0/24')!, parseIpv4Network('10.213.4.0/24')!)).toBe(
      false,
    );
  });
});

describe('findUsedNetworks', () => {
  it('reads routes and addresses from ip -j output and skips the default route', () => {
    const networks = findUsedNetworks({
      routes: [
        { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
        { dst: '10.213.0.0/24', dev: 'edr0001br' },
      ],
      addresses: [
        { ifname: 'eth0', addr_info: [{ family: 'inet', local: '192.0.2.2', prefixlen: 24 }] },
        { ifname: 'eth0', addr_info: [{ family: 'inet6', local: 'fe80::1', prefixlen: 64 }] },
      ],
    });
    expect(networks.map((entry) => [formatIpv4Network(entry.network), entry.source])).toEqual([
      ['10.213.0.0/24', 'route 10.213.0.0/24 dev edr0001br'],
      ['192.0.2.0/24', 'address 192.0.2.2/24 on eth0'],
    ]);
  });
});

describe('chooseLabSubnet', () => {
  it('takes the first free 10.213.N.0/24 from the start octet', () => {
    const subnet = chooseLabSubnet({ used: [used('10.213.5.0/24'), used('10.213.6.0/23')], start: 5 });
    expect(formatIpv4Network(subnet)).toBe('10.213.8.0/24');
  });

  it('skips octets lost to another lab', () => {
    const subnet = chooseLabSubnet({ used: [], start: 9, exclude: new Set([9, 10]) });
    expect(formatIpv4Network(subnet)).toBe('10.213.11.0/24');
  });

  it('names the route a requested subnet overlaps', () => {
    expect(() =>
      chooseLabSubnet({
        requested: '10.213.0.0/16',
        used: [used('10.213.9.0/24', 'route 10.213.9.0/24 dev x')],
      }),
    ).toThrow(/10\.213\.0\.0\/16 overlaps the host's route 10\.213\.9\.0\/24 dev x/);
  });

  it('refuses malformed or oddly sized subnets', () => {
    for (const requested of ['10.213.1.0', '10.213.1.0/30', '10.0.0.0/8', 'lab']) {
      expect(() => chooseLabSubnet({ requested, used: [] })).toThrowError(
        expect.objectContaining({ code: 'SANDBOX_SUBNET_INVALID' }),
      );
    }
  });

  it('fails with a conflict when every candidate is used', () => {
    expect(() => chooseLabSubnet({ used: [used('10.213.0.0/16')] })).toThrowError(
      expect.objectContaining({ code: 'SANDBOX_SUBNET_CONFLICT' }),
    );
  });
});

describe('allocateAddress', () => {
  const subnet = parseIpv4Network('10.213.4.0/24')!;

  it('gives a key the same host address every time, never the network, gateway or broadcast', () => {
    const first = allocateAddress({ subnet, key: 'user1/kube-etcd-0', taken: new Set() });
    expect(allocateAddress({ subnet, key: 'user1/kube-etcd-0', taken: new Set() })).toBe(first);
    expect(first).toMatch(/^10\.213\.4\.(\d+)$/);
    const last = Number(first.split('.')[3]);
    expect(last).toBeGreaterThanOrEqual(2);
    expect(last).toBeLessThanOrEqual(254);
  });

  it('moves on to the next free address on a collision and fails when none is left', () => {
    const small = parseIpv4Network('10.213.4.0/29')!;
    const taken = new Set<string>();
    for (let index = 0; index < 5; index++)
      taken.add(allocateAddress({ subnet: small, key: `pod-${index}`, taken }));
    expect([...taken].sort()).toEqual(['10.213.4.2', '10.213.4.3', '10.213.4.4', '10.213.4.5', '10.213.4.6']);
    expect(() => allocateAddress({ subnet: small, key: 'one-more', taken })).toThrowError(
      expect.objectContaining({ code: 'SANDBOX_ADDRESS_EXHAUSTED' }),
    );
  });
});

describe('names', () => {
  it('keeps link names within the Linux limit', () => {
    expect(hostLinkName({ prefix: 'edr1a2b', index: 0 })).toBe('edr1a2bv0');
    expect(hostLinkName({ prefix: 'edr1a2b', index: 36 ** 7 - 1 }).length).toBe(maxInterfaceNameLength);
    expect(() => hostLinkName({ prefix: 'edr1a2b', index: 36 ** 7 })).toThrow(/longer than 15/);
  });

  it('turns a label into a netns name under the prefix', () => {
    expect(netnsName({ prefix: 'edr1a2b', label: 'user1/kube-etcd-0' })).toBe('edr1a2b-user1-kube-etcd-0');
    expect(netnsName({ prefix: 'edr1a2b', label: '--' })).toBe('edr1a2b-pod');
  });
});

describe('hosts file', () => {
  it('lists localhost and each pod under its Kubernetes DNS names', () => {
    const names = podHostNames({ hostname: 'kube-etcd-0', subdomain: 'kube-etcd', namespace: 'user1' });
    expect(names).toEqual([
      'kube-etcd-0.kube-etcd.user1.svc.cluster.local',
      'kube-etcd-0.kube-etcd.user1.svc',
      'kube-etcd-0.kube-etcd',
    ]);
    expect(podHostNames({ hostname: 'etcd-utility-0', namespace: 'user1' })).toEqual(['etcd-utility-0']);
    expect(
      renderHostsFile([
        { ip: '10.213.4.9', names },
        { ip: '10.213.4.10', names: [] },
      ]),
    ).toBe(
      '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' +
        '10.213.4.9\tkube-etcd-0.kube-etcd.user1.svc.cluster.local kube-etcd-0.kube-etcd.user1.svc kube-etcd-0.kube-etcd\n',
    );
  });
});
