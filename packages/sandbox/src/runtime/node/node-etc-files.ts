/** Uid and gid of the `ubuntu` user on every lab node, as on GDC's Ubuntu images. */
export const nodeUserId = 1000;

/** One file of a node's own `/etc`, relative to the node root. */
export interface NodeEtcFile {
  /** Path inside the node, e.g. `etc/passwd` (relative to the node root). */
  path: string;
  content: string;
  mode: number;
}

/** Options of {@link renderSshdConfig}. */
export interface RenderSshdConfigOptions {
  /**
   * Addresses `ubuntu` may log in from (sshd `AllowUsers ubuntu@ADDRESS`). Default: any address. A node
   * reached only through a jump host lists the jump host's address here, so direct logins are refused.
   */
  allowFrom?: string[];
}

/**
 * The node's `sshd_config`: key authentication only, `ubuntu` the only login, no PAM (the lab's own
 * shadow file decides), sftp for `scp`, no pid file (teardown knows the pid).
 */
export function renderSshdConfig(options: RenderSshdConfigOptions = {}): string {
  const allowUsers = options.allowFrom?.length
    ? options.allowFrom.map((address) => `ubuntu@${address}`).join(' ')
    : 'ubuntu';
  return [
    'Port 22',
    'HostKey /etc/ssh/ssh_host_ed25519_key',
    'PidFile none',
    'UsePAM no',
    'PermitRootLogin no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'AuthorizedKeysFile .ssh/authorized_keys',
    `AllowUsers ${allowUsers}`,
    'AllowTcpForwarding yes',
    'X11Forwarding no',
    'PrintMotd no',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    '',
  ].join('\n');
}

/** Options of {@link renderNodeEtcFiles}. */
export interface RenderNodeEtcFilesOptions {
  /** Node name: its hostname. */
  name: string;
  /** Options of the node's sshd. */
  sshd?: RenderSshdConfigOptions;
}

/**
 * The node's own account and login files, written into its root and never into the host's /etc:
 * `root` and `ubuntu` (passwordless sudo through `/etc/sudoers`), sshd's privilege-separation user, a
 * shadow file whose `*` entries allow key logins but no password, a PAM stack for sudo that needs no
 * host configuration, nsswitch with files only, and sshd_config.
 */
export function renderNodeEtcFiles(options: RenderNodeEtcFilesOptions): NodeEtcFile[] {
  const user = nodeUserId;
  return [
    {
      path: 'etc/passwd',
      mode: 0o644,
      content: [
        'root:x:0:0:root:/root:/bin/bash',
        'sshd:x:100:65534::/run/sshd:/usr/sbin/nologin',
        `ubuntu:x:${user}:${user}:Ubuntu:/home/ubuntu:/bin/bash`,
        'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
        '',
      ].join('\n'),
    },
    {
      path: 'etc/group',
      mode: 0o644,
      content: [
        'root:x:0:',
        'adm:x:4:ubuntu',
        'sudo:x:27:ubuntu',
        `ubuntu:x:${user}:`,
        'nogroup:x:65534:',
        '',
      ].join('\n'),
    },
    {
      path: 'etc/shadow',
      mode: 0o640,
      content: [
        'root:*:19000:0:99999:7:::',
        'sshd:*:19000:0:99999:7:::',
        'ubuntu:*:19000:0:99999:7:::',
        '',
      ].join('\n'),
    },
    {
      path: 'etc/sudoers',
      mode: 0o440,
      content: [
        'Defaults env_reset',
        'Defaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"',
        'root ALL=(ALL:ALL) ALL',
        'ubuntu ALL=(ALL) NOPASSWD:ALL',
        '',
      ].join('\n'),
    },
    {
      path: 'etc/pam.d/sudo',
      mode: 0o644,
      content: [
        'auth sufficient pam_permit.so',
        'account required pam_unix.so',
        'session required pam_permit.so',
        '',
      ].join('\n'),
    },
    {
      path: 'etc/nsswitch.conf',
      mode: 0o644,
      content: 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n',
    },
    { path: 'etc/hostname', mode: 0o644, content: `${options.name}\n` },
    { path: 'etc/ssh/sshd_config', mode: 0o644, content: renderSshdConfig(options.sshd) },
  ];
}
