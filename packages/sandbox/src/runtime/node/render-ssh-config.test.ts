import { describe, expect, it } from 'vitest';
import { renderKnownHosts, renderSshConfig } from './render-ssh-config.js';

const nodes = [
  {
    name: 'jump',
    ip: '10.213.7.5',
    privateKeyPath: '/lab/nodes/jump/id_ed25519',
    hostPublicKey: 'ssh-ed25519 AAAAjump',
  },
  {
    name: 'user1-cp1',
    ip: '10.213.7.20',
    privateKeyPath: '/lab/nodes/user1-cp1/id_ed25519',
    hostPublicKey: 'ssh-ed25519 AAAAcp1',
  },
];

describe('renderSshConfig', () => {
  it('writes one Host entry per node, pinned to the lab known_hosts, with ProxyJump only for the nodes behind the jump host', () => {
    const text = renderSshConfig({ nodes, knownHostsPath: '/lab/known_hosts', jumpHost: 'jump' });
    const [jump, cp1] = text.trim().split('\n\n');
    expect(jump).toBe(
      [
        'Host jump',
        '  HostName 10.213.7.5',
        '  User ubuntu',
        '  IdentityFile /lab/nodes/jump/id_ed25519',
        '  IdentitiesOnly yes',
        '  UserKnownHostsFile /lab/known_hosts',
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
      ].join('\n'),
    );
    expect(cp1).toContain('Host user1-cp1\n  HostName 10.213.7.20\n');
    expect(cp1).toContain('  IdentityFile /lab/nodes/user1-cp1/id_ed25519\n');
    expect(cp1?.endsWith('  ProxyJump jump')).toBe(true);
    expect(renderSshConfig({ nodes, knownHostsPath: '/k' })).not.toContain('ProxyJump');
  });

  it('lists every node key under its name and address', () => {
    expect(renderKnownHosts({ nodes })).toBe(
      'jump,10.213.7.5 ssh-ed25519 AAAAjump\nuser1-cp1,10.213.7.20 ssh-ed25519 AAAAcp1\n',
    );
  });
});
