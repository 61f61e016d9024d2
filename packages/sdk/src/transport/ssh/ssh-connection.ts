import type { Readable, Writable } from 'node:stream';
import type { DiskFree } from './parse-disk-free.js';

/** Options shared by every remote operation. */
export interface SshOperationOptions {
  /** Fail with `SSH_TIMEOUT` and stop the remote command when it runs longer. Default: no limit. */
  timeoutMs?: number;
  /** Fail with `SSH_ABORTED` and stop the remote command when aborted. */
  signal?: AbortSignal;
}

/** Options of {@link SshConnection.exec}. */
export interface SshExecOptions extends SshOperationOptions {
  /** A command line for the login user's shell. Quote arguments with `shellQuote`. */
  command: string;
  /**
   * Run it as root through `sudo -n -- sh -c COMMAND`, never prompting. Default false. sudo's own
   * refusals become `SSH_SUDO_PASSWORD_REQUIRED` or `SSH_SUDO_NOT_ALLOWED`.
   */
  sudo?: boolean;
  /** Standard input; streamed with backpressure. Default: empty (EOF right away). */
  stdin?: Readable | Uint8Array | string;
  /**
   * Where standard output goes, streamed with backpressure (the remote side waits while it is full).
   * Ended when the output ends. Default: collected into `SshExecResult.stdout` up to `maxOutputBytes`.
   */
  stdout?: Writable;
  /** Also copy standard error here. Its last 64 KiB are always kept in `SshExecResult.stderr`. */
  stderr?: Writable;
  /** Limit of collected standard output when `stdout` is not given. Default 1 MiB; over it: `SSH_OUTPUT_TOO_LARGE`. */
  maxOutputBytes?: number;
}

/** How a remote command ended. A non-zero exit is a result, not an error, for `exec`. */
export interface SshExecResult {
  /** Exit status, or null when the command was killed by a signal. */
  exitCode: number | null;
  /** Signal name (`SIGKILL`) when the command was killed by one. */
  exitSignal: string | undefined;
  /** Collected standard output; empty when `stdout` was given. */
  stdout: Buffer;
  /** Last 64 KiB of standard error, as UTF-8. */
  stderr: string;
  /** Bytes of standard output received. */
  stdoutBytes: number;
}

/** Options of {@link SshConnection.readFile}. */
export interface SshReadFileOptions extends SshOperationOptions {
  /** Absolute path on the node. */
  path: string;
  /** Read as root with `sudo -n` (for root-only files such as private keys). Default false. */
  sudo?: boolean;
  /** Skip this many bytes (resume a dropped transfer; uses `tail -c +N`). Default 0. */
  offset?: number;
  /** Receives the bytes, with backpressure; ended when the file is done (also after a dropped transfer). */
  destination: Writable;
}

/** Options of {@link SshConnection.readTar}. */
export interface SshReadTarOptions extends SshOperationOptions {
  /** Absolute path of the directory on the node; archived relative to `/` (`tar -C / -cf - etc/...`). */
  directory: string;
  /** Archive as root with `sudo -n`, keeping modes and owners in the archive; never changes a mode. Default false. */
  sudo?: boolean;
  /** Receives the tar stream, with backpressure; ended when the archive is done. */
  destination: Writable;
}

/** Options of {@link SshConnection.writeFile}. */
export interface SshWriteFileOptions extends SshOperationOptions {
  /** Absolute path on the node; replaced atomically (written beside it, then renamed). */
  path: string;
  /** The content, streamed with backpressure. */
  source: Readable | Uint8Array | string;
  /** File mode, e.g. `0o600`. The file never exists with a wider mode. */
  mode: number;
  /** Write as root with `sudo -n`. Default false. */
  sudo?: boolean;
}

/** Options of {@link SshConnection.statDiskFree}. */
export interface SshStatDiskFreeOptions extends SshOperationOptions {
  /** A path on the node; the filesystem holding it is measured. */
  path: string;
}

/** Bytes moved by a streamed read or write. */
export interface SshTransferResult {
  bytes: number;
}

/** How the node's host key was checked. */
export interface SshHostKeyCheck {
  /** `SHA256:base64` fingerprint of the key the host presented. */
  fingerprint: string;
  /** `pinned`: equal to the configured one; `first-use`: none was pinned, so it was accepted (record it). */
  trust: 'pinned' | 'first-use';
}

/**
 * An open SSH connection to one node (possibly through a jump host). Every transfer is streamed with
 * bounded memory; every failure is an `SshError` naming the node, the jump host and the step.
 */
export interface SshConnection {
  /** Name of the node (from the cluster config). */
  readonly node: string;
  /** Host key check of the node. */
  readonly hostKey: SshHostKeyCheck;
  /** Host key check of the jump host, when one is used. */
  readonly jumpHostKey: SshHostKeyCheck | undefined;
  /** Runs a command; resolves when its channel closes (all output delivered) with its exit status. */
  exec(options: SshExecOptions): Promise<SshExecResult>;
  /** Streams a file (`cat`, or `tail -c +N` from an offset); `SSH_COMMAND_FAILED` when it cannot be read. */
  readFile(options: SshReadFileOptions): Promise<SshTransferResult>;
  /** Streams a tar archive of a directory. */
  readTar(options: SshReadTarOptions): Promise<SshTransferResult>;
  /** Streams content into a file with the given mode, atomically. */
  writeFile(options: SshWriteFileOptions): Promise<SshTransferResult>;
  /** Free and total space of the filesystem holding a path. */
  statDiskFree(options: SshStatDiskFreeOptions): Promise<DiskFree>;
  /** Closes the connection (and the jump host's). Safe to call twice. */
  close(): Promise<void>;
}
