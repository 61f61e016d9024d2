import { SandboxError } from './sandbox-error.js';

/** Host programs the lab runs for real, with the Debian package that provides each. */
export const hostPrerequisites: ReadonlyArray<{ binary: string; debianPackage: string }> = [
  { binary: 'etcd', debianPackage: 'etcd-server' },
  { binary: 'etcdctl', debianPackage: 'etcd-client' },
  { binary: 'bwrap', debianPackage: 'bubblewrap' },
  { binary: 'ip', debianPackage: 'iproute2' },
  { binary: 'nsenter', debianPackage: 'util-linux' },
  { binary: 'openssl', debianPackage: 'openssl' },
  { binary: 'sshd', debianPackage: 'openssh-server' },
  { binary: 'sudo', debianPackage: 'sudo' },
];

/**
 * Decides from facts alone whether the host can run a lab.
 * @returns the error to throw, or undefined when everything is there.
 */
export function findMissingPrerequisites(options: {
  isRoot: boolean;
  presentBinaries: ReadonlySet<string>;
}): SandboxError | undefined {
  if (!options.isRoot) {
    return new SandboxError({
      code: 'SANDBOX_NOT_ROOT',
      message: 'the sandbox needs root (network namespaces, bridges and bwrap mounts)',
      remedy: 'run it again as root, e.g. with sudo',
    });
  }
  const missing = hostPrerequisites.filter((item) => !options.presentBinaries.has(item.binary));
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((item) => item.debianPackage))];
  return new SandboxError({
    code: 'SANDBOX_PREREQUISITE_MISSING',
    message: `missing host programs: ${missing.map((item) => `${item.binary} (Debian package ${item.debianPackage})`).join(', ')}`,
    remedy: `install them with: apt-get install -y ${packages.join(' ')}`,
  });
}
