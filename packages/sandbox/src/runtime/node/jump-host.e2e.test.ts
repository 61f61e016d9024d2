import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabState } from '../lab-state.js';
import { LabNetwork } from '../network/lab-network.js';
import { createPki, type Pki } from '../pki/create-pki.js';
import { teardown } from '../teardown.js';
import { writeSshConfig } from './render-ssh-config.js';
import { type LabNode, startNode } from './start-node.js';
import { clientOptions, runClient } from './testing/ssh-client.js';

let dir: string;
let network: LabNetwork;
let pki: Pki;
let jump: LabNode;
let cp1: LabNode;
let sshConfigPath: string;
let knownHostsPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edr-jump-'));
  const state = await LabState.create({ dir });
  network = await LabNetwork.create({ state });
  pki = await createPki({
    directory: join(dir, 'pki'),
    authorities: { ca: { commonName: 'kubernetes' } },
    leaves: [],
  });
  jump = await startNode({ state, network, name: 'jump', role: 'jump' });
  cp1 = await startNode({
    state,
    network,
    name: 'admin-cp1',
    pki: { 'ca.crt': pki.authorities.ca!.certificatePath, 'ca.key': pki.authorities.ca!.keyPath },
    allowSshFrom: [jump.ip],
  });
  ({ sshConfigPath, knownHostsPath } = await writeSshConfig({ state, nodes: [jump, cp1], jumpHost: 'jump' }));
});

afterAll(async () => {
  try {
    await cp1?.stop();
    await jump?.stop();
    await network?.close();
  } finally {
    if (dir) {
      await teardown({ dir });
      await rm(dir, { recursive: true, force: true });
    }
  }
});

describe('jump host', () => {
  it('reaches a node through the jump host with `ssh -F DIR/ssh_config NODE` and sudo works there', async () => {
    const result = await runClient({
      program: 'ssh',
      args: ['-F', sshConfigPath, 'admin-cp1', 'hostname; sudo -n cat /etc/kubernetes/pki/ca.key'],
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe(`admin-cp1\n${readFileSync(pki.authorities.ca!.keyPath, 'utf8')}`);
    const sshdLog = readFileSync(join(cp1.directory, 'sshd.log'), 'utf8');
    expect(sshdLog).toContain(`Accepted publickey for ubuntu from ${jump.ip}`);
  });

  it('reaches a node with `ssh -J` naming the jump host, with the node key given on the command line', async () => {
    const result = await runClient({
      program: 'ssh',
      args: [
        '-F',
        sshConfigPath,
        ...clientOptions({ identity: cp1.privateKeyPath, knownHosts: knownHostsPath }),
        '-J',
        'jump',
        `ubuntu@${cp1.ip}`,
        'hostname',
      ],
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe('admin-cp1\n');
  });

  it('copies with scp through the jump host, and with a ProxyCommand as the runbook script does', async () => {
    const target = join(dir, 'ca.crt');
    const copied = await runClient({
      program: 'scp',
      args: ['-F', sshConfigPath, 'admin-cp1:/etc/kubernetes/pki/ca.crt', target],
    });
    expect(copied.stderr).toBe('');
    expect(readFileSync(target, 'utf8')).toBe(readFileSync(pki.authorities.ca!.certificatePath, 'utf8'));

    const viaProxyCommand = await runClient({
      program: 'ssh',
      args: [
        ...clientOptions({ identity: cp1.privateKeyPath, knownHosts: knownHostsPath }),
        '-o',
        `ProxyCommand=ssh ${clientOptions({ identity: jump.privateKeyPath, knownHosts: knownHostsPath }).join(' ')} -W %h:%p ubuntu@${jump.ip}`,
        `ubuntu@${cp1.ip}`,
        'sudo -n ls /etc/kubernetes/pki',
      ],
    });
    expect(viaProxyCommand.stderr).toBe('');
    expect(viaProxyCommand.stdout.toString().split('\n')).toEqual(['ca.crt', 'ca.key', '']);
  });

  it('refuses direct logins to nodes behind the jump host, while the jump host itself accepts them', async () => {
    const direct = await runClient({
      program: 'ssh',
      args: [
        ...clientOptions({ identity: cp1.privateKeyPath, knownHosts: knownHostsPath }),
        `ubuntu@${cp1.ip}`,
        'true',
      ],
    });
    expect(direct.exitCode).toBe(255);
    expect(direct.stderr).toContain('Permission denied (publickey)');
    const jumpLogin = await runClient({
      program: 'ssh',
      args: ['-F', sshConfigPath, 'jump', 'hostname; ls /etc/kubernetes 2>&1 || true'],
    });
    expect(jumpLogin.stdout.toString()).toMatch(/^jump\n.*No such file or directory/);
  });
});
