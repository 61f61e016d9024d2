import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import type { SshNode } from '../../cluster/cluster-config.js';
import { hostKeyFingerprint, sameHostKey } from './host-key-fingerprint.js';
import type { SshConnection, SshHostKeyCheck } from './ssh-connection.js';
import { SshError } from './ssh-error.js';
import { Ssh2Connection } from './ssh2-connection.js';

type Ssh2Client = Client;

/** Options of {@link connectSsh}. */
export interface ConnectSshOptions {
  /** The node to reach. Its `hostKey`, when set, is the pinned fingerprint. */
  node: SshNode;
  /** Reach the node through this host (like `ssh -J`); its own `hostKey` is checked too. */
  jumpHost?: SshNode;
  /** Pinned `SHA256:base64` fingerprint of the node; overrides `node.hostKey`. */
  expectedHostKey?: string;
  /** Limit for the TCP connect, handshake and authentication of each hop. Default 20000 ms. */
  timeoutMs?: number;
  /**
   * Interval of SSH keepalives; after 4 unanswered ones the connection counts as lost
   * (`SSH_CONNECTION_LOST`). Default 15000 ms; 0 disables them.
   */
  keepaliveIntervalMs?: number;
  /** Abort the connection attempt (`SSH_ABORTED`). */
  signal?: AbortSignal;
}

interface Hop {
  node: SshNode;
  expectedHostKey: string | undefined;
  jumpHost: SshNode | undefined;
  sock?: Duplex;
}

/**
 * Opens an SSH connection to a node with key authentication (the node's `identityFile`, never logged),
 * checking its host key against the pinned fingerprint, or trusting it on first use and reporting it in
 * `hostKey` so the caller can record it.
 * @throws SshError `SSH_UNREACHABLE`, `SSH_AUTH_FAILED`, `SSH_HOST_KEY_MISMATCH`, `SSH_TIMEOUT`,
 *   `SSH_IDENTITY_UNREADABLE`, `SSH_HANDSHAKE_FAILED`, `SSH_ABORTED`, each naming the hop that failed.
 */
export async function connectSsh(options: ConnectSshOptions): Promise<SshConnection> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const keepaliveIntervalMs = options.keepaliveIntervalMs ?? 15_000;
  const { node, jumpHost } = options;
  if (!jumpHost) {
    const direct = await openClient({
      hop: { node, expectedHostKey: options.expectedHostKey ?? node.hostKey, jumpHost: undefined },
      timeoutMs,
      keepaliveIntervalMs,
      signal: options.signal,
    });
    return new Ssh2Connection({ node, client: direct.client, hostKey: direct.hostKey });
  }
  const jump = await openClient({
    hop: { node: jumpHost, expectedHostKey: jumpHost.hostKey, jumpHost: undefined },
    timeoutMs,
    keepaliveIntervalMs,
    signal: options.signal,
  });
  try {
    const sock = await forwardThroughJump({ jump: jump.client, node, jumpHost });
    const target = await openClient({
      hop: { node, expectedHostKey: options.expectedHostKey ?? node.hostKey, jumpHost, sock },
      timeoutMs,
      keepaliveIntervalMs,
      signal: options.signal,
    });
    return new Ssh2Connection({
      node,
      jumpHost,
      client: target.client,
      jumpClient: jump.client,
      hostKey: target.hostKey,
      jumpHostKey: jump.hostKey,
    });
  } catch (error) {
    jump.client.end();
    throw error;
  }
}

function forwardThroughJump(options: {
  jump: Ssh2Client;
  node: SshNode;
  jumpHost: SshNode;
}): Promise<Duplex> {
  const { node, jumpHost } = options;
  return new Promise((resolve, reject) => {
    options.jump.forwardOut('127.0.0.1', 0, node.address, node.port, (error, channel) => {
      if (error) {
        reject(
          new SshError({
            code: 'SSH_UNREACHABLE',
            message: `jump host ${jumpHost.name} (${jumpHost.address}:${jumpHost.port}) cannot open a connection to node ${node.name} (${node.address}:${node.port}): ${error.message}`,
            remedy: `check that ${node.address}:${node.port} is reachable from the jump host and that its sshd allows TCP forwarding (AllowTcpForwarding)`,
            node: node.name,
            jumpHost: jumpHost.name,
            step: 'connect',
            isRetryable: true,
            cause: error,
          }),
        );
        return;
      }
      resolve(channel);
    });
  });
}

async function openClient(options: {
  hop: Hop;
  timeoutMs: number;
  keepaliveIntervalMs: number;
  signal: AbortSignal | undefined;
}): Promise<{ client: Ssh2Client; hostKey: SshHostKeyCheck }> {
  const { hop } = options;
  const where = describeHop(hop);
  const privateKey = await readIdentity(hop, where);
  // Loaded on first connection: commands that never use SSH start sooner.
  const { default: ssh2 } = await import('ssh2');
  const client = new ssh2.Client();
  let seenFingerprint: string | undefined;
  let mismatch = false;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: SshError | undefined) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        // destroy, not end: a peer that never speaks SSH would keep a politely half-closed socket open.
        client.destroy();
        if (hop.sock) hop.sock.destroy();
        reject(error);
        return;
      }
      resolve({
        client,
        hostKey: { fingerprint: seenFingerprint!, trust: hop.expectedHostKey ? 'pinned' : 'first-use' },
      });
    };
    const onAbort = () =>
      settle(
        new SshError({
          code: 'SSH_ABORTED',
          message: `connection to ${where} aborted`,
          node: hop.node.name,
          jumpHost: hop.jumpHost?.name,
          step: 'connect',
        }),
      );
    const onError = (error: Error & { level?: string; code?: string }) => {
      settle(connectError({ error, hop, where, mismatch, seenFingerprint, timeoutMs: options.timeoutMs }));
    };
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    client.on('error', onError);
    client.once('ready', () => settle(undefined));
    client.once('close', () =>
      settle(
        new SshError({
          code: 'SSH_HANDSHAKE_FAILED',
          message: `${where} closed the connection during the handshake`,
          remedy: 'check the sshd log of that host (MaxStartups, AllowUsers, DenyUsers)',
          node: hop.node.name,
          jumpHost: hop.jumpHost?.name,
          step: 'connect',
          isRetryable: true,
        }),
      ),
    );
    try {
      client.connect({
        ...(hop.sock ? { sock: hop.sock } : { host: hop.node.address, port: hop.node.port }),
        username: hop.node.user,
        privateKey,
        readyTimeout: options.timeoutMs,
        keepaliveInterval: options.keepaliveIntervalMs,
        keepaliveCountMax: 4,
        hostHash: 'sha256',
        hostVerifier: (sha256Hex: string) => {
          seenFingerprint = hostKeyFingerprint({ sha256Hex });
          if (!hop.expectedHostKey) return true;
          if (sameHostKey({ expected: hop.expectedHostKey, actual: seenFingerprint })) return true;
          mismatch = true;
          return false;
        },
      });
    } catch (error) {
      // ssh2 parses the key synchronously: a passphrase-protected or malformed key lands here.
      settle(
        new SshError({
          code: 'SSH_IDENTITY_UNREADABLE',
          message: `identity file ${hop.node.identityFile} of ${where} is not a usable private key: ${(error as Error).message}`,
          remedy: 'use an unencrypted OpenSSH or PEM private key (etcd-dr does not prompt for passphrases)',
          node: hop.node.name,
          jumpHost: hop.jumpHost?.name,
          step: 'connect',
          cause: error,
        }),
      );
    }
  });
}

async function readIdentity(hop: Hop, where: string): Promise<Buffer> {
  try {
    return await readFile(hop.node.identityFile);
  } catch (error) {
    throw new SshError({
      code: 'SSH_IDENTITY_UNREADABLE',
      message: `cannot read identity file ${hop.node.identityFile} for ${where}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      remedy: `fix identityFile of ${hop.node.name} in the cluster config`,
      node: hop.node.name,
      jumpHost: hop.jumpHost?.name,
      step: 'connect',
      cause: error,
    });
  }
}

function describeHop(hop: Hop): string {
  const base = `node ${hop.node.name} (${hop.node.user}@${hop.node.address}:${hop.node.port})`;
  return hop.jumpHost ? `${base} through jump host ${hop.jumpHost.name}` : base;
}

function connectError(options: {
  error: Error & { level?: string; code?: string };
  hop: Hop;
  where: string;
  mismatch: boolean;
  seenFingerprint: string | undefined;
  timeoutMs: number;
}): SshError {
  const { error, hop, where } = options;
  const common = { node: hop.node.name, jumpHost: hop.jumpHost?.name, step: 'connect', cause: error };
  if (options.mismatch) {
    return new SshError({
      ...common,
      code: 'SSH_HOST_KEY_MISMATCH',
      message: `host key of ${where} changed: pinned ${hop.expectedHostKey}, presented ${options.seenFingerprint}`,
      remedy: `if ${hop.node.name} was rebuilt, compare with \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on its console and update its hostKey in the cluster config; otherwise do not connect: the connection may be intercepted`,
      expectedHostKey: hop.expectedHostKey,
      actualHostKey: options.seenFingerprint,
    });
  }
  if (error.level === 'client-authentication') {
    return new SshError({
      ...common,
      code: 'SSH_AUTH_FAILED',
      message: `${where} refused the key ${hop.node.identityFile}`,
      remedy: `add the matching public key to ~${hop.node.user}/.ssh/authorized_keys on ${hop.node.name}, or fix user/identityFile in the cluster config`,
    });
  }
  if (error.level === 'client-timeout') {
    return new SshError({
      ...common,
      code: 'SSH_TIMEOUT',
      message: `${where} did not complete the SSH handshake within ${options.timeoutMs} ms`,
      remedy:
        'check that the address is right and that no firewall drops the traffic; raise timeoutMs on slow links',
      isRetryable: true,
    });
  }
  if (error.level === 'client-socket' || error.level === 'client-dns') {
    return new SshError({
      ...common,
      code: 'SSH_UNREACHABLE',
      message: `cannot reach ${where}: ${error.code ?? error.message}`,
      remedy:
        'check the address and port in the cluster config, that sshd runs on the node, and the network path (or set jumpHost)',
      isRetryable: true,
    });
  }
  return new SshError({
    ...common,
    code: 'SSH_HANDSHAKE_FAILED',
    message: `SSH handshake with ${where} failed: ${error.message}`,
    remedy: "check the node's sshd configuration and log (key exchange, ciphers, MaxStartups)",
    isRetryable: true,
  });
}
