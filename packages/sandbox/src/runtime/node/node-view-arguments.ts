/** Options of {@link buildNodeViewArguments}. */
export interface BuildNodeViewArgumentsOptions {
  /** The node root on the host (`DIR/nodes/NAME/root`): the node's `/`. */
  root: string;
  /** What the node sees at `/usr`: the host's /usr, or a read-only overlay of it with the docker stand-in. */
  usrPath: string;
  /** The lab hosts file, bound read-only at /etc/hosts. */
  hostsPath: string;
  hostname: string;
  /** Host paths bound read-only at the same path (e.g. /etc/ssl), when they exist. */
  hostPaths: string[];
  /** File descriptor bwrap writes its JSON info (with `child-pid`) to. */
  infoFd: number;
}

/**
 * The `bwrap` arguments of a node's view, run with a holder command (`sleep infinity`) whose
 * namespaces sshd then joins with `nsenter`. The node root is the view's `/`, so every file a node
 * user (or root through sudo) writes lands in the node root on the host; `/usr` is read-only.
 * bwrap always sets no_new_privs on its own child and binds with nosuid, which would break sudo: that
 * is why sshd is not bwrap's child but entered through nsenter, and why /usr is remounted `suid`
 * afterwards (see {@link nodeViewRemountArguments}).
 */
export function buildNodeViewArguments(options: BuildNodeViewArgumentsOptions): string[] {
  const args = [
    '--die-with-parent',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--hostname',
    options.hostname,
    '--bind',
    options.root,
    '/',
    '--ro-bind',
    options.usrPath,
    '/usr',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--ro-bind',
    options.hostsPath,
    '/etc/hosts',
  ];
  for (const path of options.hostPaths) args.push('--ro-bind', path, path);
  args.push('--chdir', '/', '--info-fd', String(options.infoFd), '--', '/usr/bin/sleep', 'infinity');
  return args;
}

/** `nsenter` arguments that remount the view's /usr read-only but with setuid allowed (sudo needs it). */
export function nodeViewRemountArguments(options: { holderPid: number }): string[] {
  return [
    '--target',
    String(options.holderPid),
    '--mount',
    '--',
    '/usr/bin/mount',
    '-o',
    'remount,bind,ro,suid',
    '/usr',
  ];
}

/** `nsenter` arguments that run a program inside a node: its mount, pid, UTS, IPC and network namespaces. */
export function nodeEnterArguments(options: { holderPid: number; command: string[] }): string[] {
  return [
    '--target',
    String(options.holderPid),
    '--mount',
    '--pid',
    '--uts',
    '--ipc',
    '--net',
    '--',
    ...options.command,
  ];
}
