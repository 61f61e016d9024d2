import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabState, readProcessStartTime } from '../lab-state.js';
import type { Pki } from '../pki/create-pki.js';
import { runCommand } from '../run-command.js';
import { teardown } from '../teardown.js';
import { type LabNode, startNode } from './start-node.js';
import { clientOptions, fileHash, runClient } from './testing/ssh-client.js';
import { startTestNode, type TestNode } from './testing/start-test-node.js';

const hostFiles = ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/sudoers', '/etc/hosts'];
const hostSshFiles = () =>
  existsSync('/etc/ssh') ? readdirSync('/etc/ssh').map((name) => join('/etc/ssh', name)) : [];
const hashHost = () =>
  Object.fromEntries([...hostFiles, ...hostSshFiles()].map((path) => [path, fileHash(path)]));

let lab: TestNode;
let dir: string;
let state: LabState;
let pki: Pki;
let node: LabNode;
let knownHosts: string;
let hostHashesBefore: Record<string, string>;
const ssh = (command: string, input?: string) => lab.ssh(command, input);

beforeAll(async () => {
  hostHashesBefore = hashHost();
  lab = await startTestNode({ prefix: 'edr-node-', leaves: ['server', 'peer'], withCaKeys: true });
  ({ dir, state, pki, node, knownHosts } = lab);
});

afterAll(async () => {
  await lab?.close();
});

describe('startNode', () => {
  it('gives ubuntu an SSH login with the per-node key (0600) and passwordless sudo reading a 0600 key', async () => {
    expect(statSync(node.privateKeyPath).mode & 0o777).toBe(0o600);
    const who = await ssh('id -un; hostname; sudo -n id -un');
    expect(who.stderr).toBe('');
    expect(who.stdout.toString().split('\n')).toEqual(['ubuntu', 'cp1', 'root', '']);

    const direct = await ssh('cat /etc/kubernetes/pki/etcd/server.key');
    expect(direct.exitCode).not.toBe(0);
    expect(direct.stderr).toContain('Permission denied');

    const withSudo = await ssh('sudo -n cat /etc/kubernetes/pki/etcd/server.key');
    expect(withSudo.exitCode).toBe(0);
    expect(withSudo.stdout.toString()).toBe(readFileSync(pki.leaves.server!.keyPath, 'utf8'));
  });

  it('lays out the node PKI owned by root with keys 0600 and an etcd data directory', () => {
    const key = statSync(join(node.root, 'etc/kubernetes/pki/etcd/server.key'));
    expect([key.uid, key.gid, key.mode & 0o777]).toEqual([0, 0, 0o600]);
    expect(statSync(join(node.root, 'etc/kubernetes/pki/etcd/ca.crt')).mode & 0o777).toBe(0o644);
    expect(statSync(join(node.root, 'opt/data/var/lib/etcd')).isDirectory()).toBe(true);
    expect(statSync(join(node.root, 'etc/kubernetes/manifests')).isDirectory()).toBe(true);
  });

  it('copies a file out with the real scp', async () => {
    const target = join(dir, 'copied-ca.crt');
    const copied = await runClient({
      program: 'scp',
      args: [
        ...clientOptions({ identity: node.privateKeyPath, knownHosts }),
        `ubuntu@${node.ip}:/etc/kubernetes/pki/etcd/ca.crt`,
        target,
      ],
    });
    expect(copied.stderr).toBe('');
    expect(readFileSync(target, 'utf8')).toBe(
      readFileSync(pki.authorities['etcd-ca']!.certificatePath, 'utf8'),
    );
  });

  it('streams the PKI with `sudo tar` as the node really has it (names, owners, modes, bytes)', async () => {
    const archive = await ssh('sudo -n tar -C / -cf - etc/kubernetes/pki');
    expect(archive.exitCode).toBe(0);
    const listing = execFileSync('tar', ['-tvf', '-', '--numeric-owner'], {
      input: archive.stdout,
    }).toString();
    expect(listing).toMatch(/-rw------- 0\/0 .* etc\/kubernetes\/pki\/etcd\/server\.key/);
    expect(listing).toMatch(/-rw-r--r-- 0\/0 .* etc\/kubernetes\/pki\/etcd\/ca\.crt/);
    expect(listing).toMatch(/-rw------- 0\/0 .* etc\/kubernetes\/pki\/ca\.key/);
    const extracted = join(dir, 'extracted');
    execFileSync('mkdir', ['-p', extracted]);
    execFileSync('tar', ['-xpf', '-', '-C', extracted], { input: archive.stdout });
    expect(readFileSync(join(extracted, 'etc/kubernetes/pki/etcd/peer.key'), 'utf8')).toBe(
      readFileSync(pki.leaves.peer!.keyPath, 'utf8'),
    );
    expect(statSync(join(extracted, 'etc/kubernetes/pki/etcd/peer.key')).mode & 0o777).toBe(0o600);
  });

  it('lands files written with sudo in the node root, never in the host, and keeps /usr read-only', async () => {
    const marker = `edr-marker-${Date.now()}`;
    const written = await ssh(
      `echo ${marker} | sudo -n tee /etc/${marker} /root/${marker} /opt/${marker} >/dev/null && sudo -n touch /usr/bin/${marker}`,
    );
    expect(written.stderr).toContain('Read-only file system');
    for (const path of [`etc/${marker}`, `root/${marker}`, `opt/${marker}`]) {
      expect(readFileSync(join(node.root, path), 'utf8')).toBe(`${marker}\n`);
      expect(statSync(join(node.root, path)).uid).toBe(0);
      expect(existsSync(join('/', path))).toBe(false);
    }
    expect(existsSync(`/usr/bin/${marker}`)).toBe(false);
    const passwd = await ssh(
      'sudo -n sh -c "echo intruder:x:0:0::/:/bin/sh >> /etc/passwd"; grep -c intruder /etc/passwd',
    );
    expect(passwd.stdout.toString().trim()).toBe('1');
    expect(readFileSync('/etc/passwd', 'utf8')).not.toContain('intruder');
  });

  it('refuses a bad name, an existing node and a PKI path outside /etc/kubernetes/pki before creating anything', async () => {
    await expect(startNode({ state, network: lab.network, name: 'Bad_Name' })).rejects.toMatchObject({
      code: 'SANDBOX_NODE_INVALID',
    });
    await expect(startNode({ state, network: lab.network, name: 'cp1' })).rejects.toMatchObject({
      code: 'SANDBOX_NODE_INVALID',
    });
    await expect(
      startNode({
        state,
        network: lab.network,
        name: 'cp9',
        pki: { '../../etc/passwd': pki.leaves.peer!.keyPath },
      }),
    ).rejects.toThrow(/not a path inside \/etc\/kubernetes\/pki/);
    expect(existsSync(join(dir, 'nodes/cp9'))).toBe(false);
  });

  it('is removed completely by teardown, and the host /etc and /etc/ssh are unchanged', async () => {
    const processes = state.objects().filter((object) => object.kind === 'process');
    expect(processes.length).toBeGreaterThanOrEqual(2);
    const mountsBefore = readFileSync('/proc/self/mounts', 'utf8');
    expect(mountsBefore).toContain(join(node.directory, 'usr'));
    const result = await teardown({ dir });
    expect(result.removedNetns).toContain(node.netns);
    for (const object of processes) {
      if (object.kind === 'process') expect(readProcessStartTime(object.pid)).toBeUndefined();
    }
    const netns = await runCommand({ command: 'ip', args: ['netns', 'list'] });
    expect(netns.stdout).not.toContain(state.prefix);
    const links = await runCommand({ command: 'ip', args: ['-o', 'link'] });
    expect(links.stdout).not.toContain(state.prefix);
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(node.directory);
    expect(existsSync(node.directory)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['copied-ca.crt', 'extracted', 'known_hosts', 'pki']);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
    expect(hashHost()).toEqual(hostHashesBefore);
  });
});
