import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';
import type { SshNode } from '../../cluster/cluster-config.js';
import { type DiskFree, parseDiskFree } from './parse-disk-free.js';
import { shellQuote } from './shell-quote.js';
import type {
  SshConnection,
  SshExecOptions,
  SshExecResult,
  SshHostKeyCheck,
  SshReadFileOptions,
  SshReadTarOptions,
  SshStatDiskFreeOptions,
  SshTransferResult,
  SshWriteFileOptions,
} from './ssh-connection.js';
import { SshError, type SshErrorCode } from './ssh-error.js';
import { sudoFailure, sudoPrefix } from './sudo-failure.js';

type Ssh2Client = ssh2.Client;

const stderrTailBytes = 64 * 1024;

interface RunOptions extends SshExecOptions {
  step: string;
  /** The command line exactly as sent (already wrapped in sudo when asked). */
  commandLine: string;
}

/** The {@link SshConnection} over the `ssh2` library (see `connectSsh`). */
export class Ssh2Connection implements SshConnection {
  readonly node: string;
  readonly hostKey: SshHostKeyCheck;
  readonly jumpHostKey: SshHostKeyCheck | undefined;
  readonly #target: SshNode;
  readonly #jumpHost: SshNode | undefined;
  readonly #client: Ssh2Client;
  readonly #jumpClient: Ssh2Client | undefined;
  #lost: Error | undefined;
  #closing = false;

  constructor(options: {
    node: SshNode;
    jumpHost?: SshNode;
    client: Ssh2Client;
    jumpClient?: Ssh2Client;
    hostKey: SshHostKeyCheck;
    jumpHostKey?: SshHostKeyCheck;
  }) {
    this.node = options.node.name;
    this.hostKey = options.hostKey;
    this.jumpHostKey = options.jumpHostKey;
    this.#target = options.node;
    this.#jumpHost = options.jumpHost;
    this.#client = options.client;
    this.#jumpClient = options.jumpClient;
    const onLost = (error?: Error) => {
      this.#lost ??= error ?? new Error('connection closed');
    };
    for (const client of [this.#client, this.#jumpClient]) {
      client?.on('error', onLost);
      client?.on('close', () => onLost());
    }
  }

  async exec(options: SshExecOptions): Promise<SshExecResult> {
    const commandLine = options.sudo ? `${sudoPrefix} sh -c ${shellQuote(options.command)}` : options.command;
    return this.#run({ ...options, step: 'exec', commandLine });
  }

  async readFile(options: SshReadFileOptions): Promise<SshTransferResult> {
    const path = this.#checkPath(options.path, 'read-file');
    const offset = options.offset ?? 0;
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw this.#error({
        code: 'SSH_INVALID_ARGUMENT',
        step: 'read-file',
        message: `offset ${offset} for ${path} is not a non-negative integer`,
        remedy: 'pass the number of bytes already received',
      });
    }
    const command =
      offset === 0 ? `cat -- ${shellQuote(path)}` : `tail -c +${offset + 1} -- ${shellQuote(path)}`;
    const result = await this.#run({
      ...options,
      command,
      commandLine: options.sudo ? `${sudoPrefix} ${command}` : command,
      stdout: options.destination,
      step: 'read-file',
    });
    this.#expectSuccess(result, 'read-file', `reading ${path}`);
    return { bytes: result.stdoutBytes };
  }

  async readTar(options: SshReadTarOptions): Promise<SshTransferResult> {
    const directory = this.#checkPath(options.directory, 'read-tar');
    // Relative to / so the archive holds etc/kubernetes/pki/..., as the runbook's `tar -C /` does.
    const command = `tar -C / -cf - -- ${shellQuote(directory.replace(/^\/+/, '') || '.')}`;
    const result = await this.#run({
      ...options,
      command,
      commandLine: options.sudo ? `${sudoPrefix} ${command}` : command,
      stdout: options.destination,
      step: 'read-tar',
    });
    this.#expectSuccess(result, 'read-tar', `archiving ${directory}`);
    return { bytes: result.stdoutBytes };
  }

  async writeFile(options: SshWriteFileOptions): Promise<SshTransferResult> {
    const path = this.#checkPath(options.path, 'write-file');
    if (!Number.isInteger(options.mode) || options.mode < 0 || options.mode > 0o7777) {
      throw this.#error({
        code: 'SSH_INVALID_ARGUMENT',
        step: 'write-file',
        message: `mode ${options.mode} for ${path} is not a file mode`,
        remedy: 'pass a mode such as 0o600',
      });
    }
    const partial = `${path}.etcd-dr-partial`;
    const wrap = (command: string) =>
      options.sudo ? `${sudoPrefix} sh -c ${shellQuote(command)}` : `sh -c ${shellQuote(command)}`;
    // umask 077: the partial file is private from its first byte, whatever the final mode.
    const write = await this.#run({
      ...options,
      command: 'write',
      stdin: options.source,
      commandLine: wrap(`umask 077 && cat > ${shellQuote(partial)}`),
      step: 'write-file',
    }).catch(async (error: unknown) => {
      await this.#removeQuietly(partial, options.sudo);
      throw error;
    });
    const sent = write.sent ?? 0;
    if (write.exitCode !== 0) {
      await this.#removeQuietly(partial, options.sudo);
      this.#expectSuccess(write, 'write-file', `writing ${partial}`);
    }
    // Renamed only after every byte arrived: a dropped upload never replaces the file with a truncated one.
    const commit = await this.#run({
      command: 'commit',
      commandLine: wrap(
        `test "$(wc -c < ${shellQuote(partial)})" -eq ${sent} && chmod ${options.mode.toString(8)} ${shellQuote(partial)} && mv -f ${shellQuote(partial)} ${shellQuote(path)}`,
      ),
      step: 'write-file',
      timeoutMs: options.timeoutMs ?? 60_000,
    });
    if (commit.exitCode !== 0) {
      await this.#removeQuietly(partial, options.sudo);
      this.#expectSuccess(commit, 'write-file', `moving ${partial} to ${path} (size check of ${sent} bytes)`);
    }
    return { bytes: sent };
  }

  async statDiskFree(options: SshStatDiskFreeOptions): Promise<DiskFree> {
    const path = this.#checkPath(options.path, 'stat-disk-free');
    const command = `df -Pk -- ${shellQuote(path)}`;
    const result = await this.#run({ ...options, command, commandLine: command, step: 'stat-disk-free' });
    this.#expectSuccess(result, 'stat-disk-free', `measuring free space at ${path}`);
    try {
      return parseDiskFree({ path, output: result.stdout.toString('utf8') });
    } catch (error) {
      throw this.#error({
        code: 'SSH_COMMAND_FAILED',
        step: 'stat-disk-free',
        message: (error as Error).message,
        remedy: 'make sure the node has a POSIX df (coreutils or busybox)',
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await Promise.all(
      [this.#client, this.#jumpClient].map(
        (client) =>
          client &&
          new Promise<void>((resolve) => {
            client.once('close', () => resolve());
            client.end();
            // A dead peer never answers the disconnect; do not wait for it forever.
            setTimeout(() => {
              client.destroy();
              resolve();
            }, 2000).unref();
          }),
      ),
    );
  }

  #where(): string {
    const base = `node ${this.#target.name} (${this.#target.user}@${this.#target.address}:${this.#target.port})`;
    return this.#jumpHost ? `${base} through jump host ${this.#jumpHost.name}` : base;
  }

  #error(options: {
    code: SshErrorCode;
    step: string;
    message: string;
    remedy: string;
    cause?: unknown;
    exitCode?: number;
    bytesTransferred?: number;
    isRetryable?: boolean;
  }): SshError {
    return new SshError({ ...options, node: this.#target.name, jumpHost: this.#jumpHost?.name });
  }

  #checkPath(path: string, step: string): string {
    if (!path.startsWith('/') || /[\0\n]/.test(path) || path.split('/').includes('..')) {
      throw this.#error({
        code: 'SSH_INVALID_ARGUMENT',
        step,
        message: `remote path ${JSON.stringify(path)} on ${this.#where()} must be absolute, without .. or newlines`,
        remedy: 'pass an absolute path such as /etc/kubernetes/pki',
      });
    }
    return path;
  }

  #expectSuccess(result: SshExecResult, step: string, what: string): void {
    if (result.exitCode === 0) return;
    const status = result.exitCode === null ? `signal ${result.exitSignal}` : `exit code ${result.exitCode}`;
    const firstLine = result.stderr.trim().split('\n')[0] ?? '';
    throw this.#error({
      code: 'SSH_COMMAND_FAILED',
      step,
      message: `${what} on ${this.#where()} failed with ${status}${firstLine ? `: ${firstLine}` : ''}`,
      remedy: 'check that the path exists on the node and the command is installed',
      ...(result.exitCode === null ? {} : { exitCode: result.exitCode }),
    });
  }

  async #removeQuietly(path: string, sudo: boolean | undefined): Promise<void> {
    if (this.#lost) return;
    const command = `rm -f -- ${shellQuote(path)}`;
    await this.#run({
      command,
      commandLine: sudo ? `${sudoPrefix} ${command}` : command,
      step: 'write-file',
      timeoutMs: 30_000,
    }).catch(() => undefined);
  }

  #run(options: RunOptions): Promise<SshExecResult & { sent?: number }> {
    const { step } = options;
    if (this.#lost || this.#closing) {
      return Promise.reject(this.#lostError(step, 0));
    }
    return new Promise((resolve, reject) => {
      this.#client.exec(options.commandLine, (openError, channel) => {
        if (openError) {
          reject(
            this.#lost
              ? this.#lostError(step, 0)
              : this.#error({
                  code: 'SSH_COMMAND_FAILED',
                  step,
                  message: `cannot open a session on ${this.#where()}: ${openError.message}`,
                  remedy: "check the node's sshd MaxSessions",
                  cause: openError,
                  isRetryable: true,
                }),
          );
          return;
        }
        this.#drive({ options, channel, resolve, reject });
      });
    });
  }

  #drive(context: {
    options: RunOptions;
    channel: ClientChannel;
    resolve: (result: SshExecResult & { sent?: number }) => void;
    reject: (error: unknown) => void;
  }): void {
    const { options, channel } = context;
    const { step } = options;
    const collected: Buffer[] = [];
    const maxOutputBytes = options.maxOutputBytes ?? 1024 * 1024;
    let stdoutBytes = 0;
    let sent = 0;
    let stderrTail = Buffer.alloc(0);
    let exit: { code: number | null | undefined; signal: string | undefined } | undefined;
    let outputDone = false;
    let settled = false;
    let stdinFailure: { error: unknown } | undefined;
    let timer: NodeJS.Timeout | undefined;

    const cleanup = () => {
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      cleanup();
      try {
        stopRemoteCommand(channel);
        channel.close();
      } catch {}
      channel.destroy();
      context.reject(error);
    };
    const maybeDone = () => {
      if (settled) return;
      // A command whose input broke off ends at EOF like any other: it must not pass for a success.
      if (stdinFailure && exit) {
        fail(stdinFailure.error);
        return;
      }
      if (!exit || !outputDone) return;
      const stderr = stderrTail.toString('utf8');
      if (exit.code === undefined && exit.signal === undefined) {
        fail(
          this.#lost
            ? this.#lostError(step, stdoutBytes)
            : this.#error({
                code: 'SSH_COMMAND_FAILED',
                step,
                message: `${step} on ${this.#where()} ended without an exit status after ${stdoutBytes} bytes`,
                remedy: 'run it again; check the sshd log of the node',
                bytesTransferred: stdoutBytes,
                isRetryable: true,
              }),
        );
        return;
      }
      if (options.sudo || options.commandLine.startsWith(sudoPrefix)) {
        const refusal = sudoFailure({ exitCode: exit.code, stderr });
        if (refusal) {
          fail(this.#sudoError(refusal, step, stderr));
          return;
        }
      }
      cleanup();
      context.resolve({
        exitCode: exit.code ?? null,
        exitSignal: exit.signal,
        stdout: Buffer.concat(collected),
        stderr,
        stdoutBytes,
        sent,
      });
    };
    const onAbort = () =>
      fail(
        this.#error({
          code: 'SSH_ABORTED',
          step,
          message: `${step} on ${this.#where()} aborted`,
          remedy: 'run it again when wanted',
          bytesTransferred: stdoutBytes,
        }),
      );

    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(
        () =>
          fail(
            this.#error({
              code: 'SSH_TIMEOUT',
              step,
              message: `${step} on ${this.#where()} did not finish within ${options.timeoutMs} ms`,
              remedy:
                'check that the node is not overloaded and the command does not wait for input; raise timeoutMs for large transfers',
              bytesTransferred: stdoutBytes,
              isRetryable: true,
            }),
          ),
        options.timeoutMs,
      );
    }

    // Without a listener a channel error (a write after the remote side closed) would crash the process.
    channel.on('error', (error: Error) => {
      if (this.#lost) fail(this.#lostError(step, stdoutBytes));
      else
        fail(
          this.#error({
            code: 'SSH_COMMAND_FAILED',
            step,
            message: `channel of ${step} on ${this.#where()} failed: ${error.message}`,
            remedy: 'run it again; check the sshd log of the node',
            cause: error,
            bytesTransferred: stdoutBytes,
            isRetryable: true,
          }),
        );
    });
    channel.on('close', (code: number | null | undefined, signal: string | undefined) => {
      exit = { code, signal };
      maybeDone();
    });
    channel.stderr.on('data', (chunk: Buffer) => {
      stderrTail = Buffer.concat([stderrTail, chunk]);
      if (stderrTail.length > stderrTailBytes) stderrTail = stderrTail.subarray(-stderrTailBytes);
      if (options.stderr && !options.stderr.write(chunk)) {
        channel.stderr.pause();
        options.stderr.once('drain', () => channel.stderr.resume());
      }
    });

    if (options.stdout) {
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          stdoutBytes += chunk.length;
          callback(null, chunk);
        },
      });
      pipeline(channel, counter, options.stdout).then(
        () => {
          outputDone = true;
          maybeDone();
        },
        (error: unknown) => {
          if (exit && exit.code === undefined) fail(this.#lostError(step, stdoutBytes));
          else fail(error);
        },
      );
    } else {
      channel.on('data', (chunk: Buffer) => {
        stdoutBytes += chunk.length;
        if (stdoutBytes > maxOutputBytes) {
          fail(
            this.#error({
              code: 'SSH_OUTPUT_TOO_LARGE',
              step,
              message: `output of ${step} on ${this.#where()} exceeds ${maxOutputBytes} bytes`,
              remedy: 'pass a stdout stream to receive large output',
            }),
          );
          return;
        }
        collected.push(chunk);
      });
      channel.once('end', () => {
        outputDone = true;
        maybeDone();
      });
    }

    const stdin = options.stdin;
    if (stdin === undefined) {
      channel.end();
    } else if (stdin instanceof Readable) {
      stdin.on('data', (chunk: Buffer | string) => {
        sent += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      });
      // The command gets EOF and is let finish before the failure is reported: a caller that removes what
      // the command was writing (writeFile's partial file) must not race a command still starting up.
      stdin.once('error', (error) => {
        stdinFailure = { error };
        stdin.unpipe(channel);
        channel.end();
        const giveUp = setTimeout(() => fail(error), 5_000);
        channel.once('close', () => {
          clearTimeout(giveUp);
          fail(error);
        });
      });
      stdin.pipe(channel);
    } else {
      const data = typeof stdin === 'string' ? Buffer.from(stdin) : stdin;
      sent = data.length;
      channel.end(data);
    }
  }

  #lostError(step: string, bytesTransferred: number): SshError {
    return this.#error({
      code: 'SSH_CONNECTION_LOST',
      step,
      message: `connection to ${this.#where()} was lost during ${step} after ${bytesTransferred} bytes${this.#lost ? `: ${this.#lost.message}` : ''}`,
      remedy:
        'connect again and resume from bytesTransferred (readFile offset); check the network and the node',
      bytesTransferred,
      isRetryable: true,
      ...(this.#lost ? { cause: this.#lost } : {}),
    });
  }

  #sudoError(refusal: 'password-required' | 'not-allowed', step: string, stderr: string): SshError {
    const user = this.#target.user;
    if (refusal === 'password-required') {
      return this.#error({
        code: 'SSH_SUDO_PASSWORD_REQUIRED',
        step,
        message: `sudo on ${this.#where()} asks ${user} for a password (sudo -n: ${stderr.trim().split('\n')[0]})`,
        remedy: `allow ${user} passwordless sudo on the node (a sudoers rule "${user} ALL=(ALL) NOPASSWD: ALL", as GDC nodes have), or use a user that has it`,
      });
    }
    return this.#error({
      code: 'SSH_SUDO_NOT_ALLOWED',
      step,
      message: `${user} may not use sudo on ${this.#where()}: ${stderr.trim().split('\n')[0]}`,
      remedy: `grant ${user} passwordless sudo on the node, or set user to one that has it`,
    });
  }
}

/**
 * Asks sshd to send SIGTERM to the command's process group (OpenSSH >= 7.9 honours "signal" requests;
 * sudo relays TERM to the command it runs). Closing the channel alone leaves a command that does not read
 * its input running on the node. ssh2's `channel.signal()` refuses once our side sent EOF, which every
 * exec does right away without stdin, although RFC 4254 allows the request then: send it directly.
 */
function stopRemoteCommand(channel: ClientChannel): void {
  const internals = channel as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal(id: number, name: string): void } };
  };
  const outgoing = internals.outgoing;
  const protocol = internals._client?._protocol;
  if (outgoing && protocol && (outgoing.state === 'open' || outgoing.state === 'eof')) {
    protocol.signal(outgoing.id, 'TERM');
  }
}
