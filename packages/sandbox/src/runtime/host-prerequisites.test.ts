import { describe, expect, it } from 'vitest';
import { findMissingPrerequisites, hostPrerequisites } from './host-prerequisites.js';

const all = new Set(hostPrerequisites.map((item) => item.binary));

describe('findMissingPrerequisites', () => {
  it('accepts root with every program present', () => {
    expect(findMissingPrerequisites({ isRoot: true, presentBinaries: all })).toBeUndefined();
  });

  it('refuses a non-root user first', () => {
    const error = findMissingPrerequisites({ isRoot: false, presentBinaries: all });
    expect(error?.code).toBe('SANDBOX_NOT_ROOT');
  });

  it('names each missing program with the apt-get line that installs it', () => {
    const present = new Set([...all].filter((binary) => binary !== 'bwrap' && binary !== 'sshd'));
    const error = findMissingPrerequisites({ isRoot: true, presentBinaries: present });
    expect(error?.code).toBe('SANDBOX_PREREQUISITE_MISSING');
    expect(error?.message).toBe(
      'missing host programs: bwrap (Debian package bubblewrap), sshd (Debian package openssh-server)',
    );
    expect(error?.remedy).toBe('install them with: apt-get install -y bubblewrap openssh-server');
    expect(error?.toLine()).not.toContain('\n');
  });

  it('lists a package once when two of its programs are missing', () => {
    const present = new Set([...all].filter((binary) => binary !== 'etcd'));
    present.delete('etcdctl');
    const error = findMissingPrerequisites({ isRoot: true, presentBinaries: present });
    expect(error?.remedy).toBe('install them with: apt-get install -y etcd-server etcd-client');
  });
});
