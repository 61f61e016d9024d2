import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LabState } from '../lab-state.js';
import { runCommand } from '../run-command.js';
import { teardown } from '../teardown.js';
import { LabNetwork } from './lab-network.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    await teardown({ dir });
    await rm(dir, { recursive: true, force: true });
  }
});

async function newLab(): Promise<LabState> {
  const dir = await mkdtemp(join(tmpdir(), 'edr-net-'));
  dirs.push(dir);
  return LabState.create({ dir });
}

/** Runs a one-shot TCP server in `netns` and connects to it from `from`; returns what was received. */
async function tcpRoundTrip(options: {
  serverNetns: string;
  address: string;
  clientNetns: string;
}): Promise<string> {
  const server = spawn(
    'ip',
    [
      'netns',
      'exec',
      options.serverNetns,
      process.execPath,
      '-e',
      `require('net').createServer((s) => { s.end('pong from ' + s.localAddress); setTimeout(() => process.exit(0), 50); }).listen(7000, '${options.address}', () => console.log('listening'))`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve) => server.stdout.once('data', resolve));
  const client = await runCommand({
    command: 'ip',
    args: [
      'netns',
      'exec',
      options.clientNetns,
      'bash',
      '-c',
      `exec 3<>/dev/tcp/${options.address}/7000; cat <&3`,
    ],
  });
  await new Promise((resolve) => server.once('exit', resolve));
  return client.stdout;
}

describe('LabNetwork (as root)', () => {
  it('joins pod namespaces on a bridge with stable addresses, a default route and a shared hosts file', async () => {
    const state = await newLab();
    const network = await LabNetwork.create({ state });
    expect(network.cidr).toMatch(/^10\.213\.\d+\.0\/24$/);
    const bridge = JSON.parse(
      (await runCommand({ command: 'ip', args: ['-j', 'addr', 'show', network.bridge] })).stdout,
    );
    expect(bridge[0].addr_info[0]).toMatchObject({ local: network.gateway, prefixlen: 24 });

    const first = await network.attach({
      key: 'user1/kube-etcd-0',
      label: 'user1/kube-etcd-0',
      hostNames: ['kube-etcd-0.kube-etcd'],
    });
    const second = await network.attach({
      key: 'user1/kube-etcd-1',
      label: 'user1/kube-etcd-1',
      hostNames: ['kube-etcd-1.kube-etcd'],
    });
    expect(first.hostLink.length).toBeLessThanOrEqual(15);
    expect(state.objects()).toEqual(
      expect.arrayContaining([
        { kind: 'netns', name: first.netns },
        { kind: 'link', name: first.hostLink },
        { kind: 'link', name: network.bridge },
      ]),
    );
    const inside = await runCommand({ command: 'ip', args: ['-n', first.netns, '-j', 'route'] });
    expect(JSON.parse(inside.stdout)).toContainEqual(
      expect.objectContaining({ dst: 'default', gateway: network.gateway }),
    );
    const loopback = await runCommand({
      command: 'ip',
      args: ['-n', first.netns, '-j', 'link', 'show', 'lo'],
    });
    expect(JSON.parse(loopback.stdout)[0].flags).toContain('UP');

    expect(
      await tcpRoundTrip({ serverNetns: second.netns, address: second.ip, clientNetns: first.netns }),
    ).toBe(`pong from ${second.ip}`);
    const hosts = await readFile(network.hostsPath, 'utf8');
    expect(hosts).toContain(`${first.ip}\tkube-etcd-0.kube-etcd\n`);
    expect(hosts).toContain(`${second.ip}\tkube-etcd-1.kube-etcd\n`);

    await network.detach(first);
    expect((await runCommand({ command: 'ip', args: ['netns', 'list'] })).stdout).not.toContain(first.netns);
    expect((await runCommand({ command: 'ip', args: ['-o', 'link'] })).stdout).not.toContain(
      `${first.hostLink}@`,
    );
    const again = await network.attach({ key: 'user1/kube-etcd-0', label: 'user1/kube-etcd-0' });
    expect(again.ip).toBe(first.ip);
    expect(again.hostLink).not.toBe(first.hostLink);
  });

  it('refuses a requested subnet that another lab already uses, leaving nothing behind', async () => {
    const first = await LabNetwork.create({ state: await newLab() });
    const state = await newLab();
    await expect(LabNetwork.create({ state, subnet: first.cidr })).rejects.toMatchObject({
      code: 'SANDBOX_SUBNET_CONFLICT',
      message: expect.stringContaining(first.bridge),
    });
    expect(state.objects()).toEqual([]);
    expect((await runCommand({ command: 'ip', args: ['-o', 'link'] })).stdout).not.toContain(state.prefix);
  });
});
