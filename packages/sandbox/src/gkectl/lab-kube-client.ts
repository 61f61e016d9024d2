import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { dirname, isAbsolute, resolve } from 'node:path';
import WebSocket from 'ws';
import { parse } from 'yaml';
import { GkectlError } from './gkectl-error.js';

/** Options of {@link createLabKubeClient}. */
export interface CreateLabKubeClientOptions {
  /** The kubeconfig file; its current context is used. */
  kubeconfigPath: string;
  /** Limit of each API request. Milliseconds. Default 3000. */
  timeoutMs?: number;
  /** Limit of each exec, from connecting to the exit status. Milliseconds. Default 8000. */
  execTimeoutMs?: number;
}

/** Options of {@link LabKubeClient.exec}. */
export interface LabExecOptions {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
}

/** How an exec ended: the command's exit code and its output. */
export interface LabExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The few API calls `gkectl diagnose cluster` needs, over plain HTTPS and the exec WebSocket. */
export interface LabKubeClient {
  /** The API server URL from the kubeconfig. */
  readonly server: string;
  /** GETs an API path (e.g. `/api/v1/nodes`) and returns the parsed JSON body. */
  getJson(path: string): Promise<unknown>;
  /** Runs a command in a container (`v5.channel.k8s.io`), without stdin. */
  exec(options: LabExecOptions): Promise<LabExecResult>;
}

interface Tls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  headers: Record<string, string>;
}

/**
 * Reads a kubeconfig (certificate data inline or as paths relative to the file, or a bearer token) and
 * returns a client for its current context. Nothing is sent until the first call.
 * @throws GkectlError `GKECTL_KUBECONFIG_INVALID` when the file cannot be read or lacks a server.
 * Calls reject with `GKECTL_API_UNREACHABLE`, `GKECTL_TIMEOUT`, `GKECTL_API_ERROR` (the server's message)
 * or `GKECTL_EXEC_FAILED`.
 */
export async function createLabKubeClient(options: CreateLabKubeClientOptions): Promise<LabKubeClient> {
  const { kubeconfigPath } = options;
  const timeoutMs = options.timeoutMs ?? 3000;
  const execTimeoutMs = options.execTimeoutMs ?? 8000;
  const invalid = (why: string, cause?: unknown) =>
    new GkectlError({
      code: 'GKECTL_KUBECONFIG_INVALID',
      message: `kubeconfig ${kubeconfigPath} ${why}`,
      remedy: 'pass --kubeconfig with the admin kubeconfig the lab wrote (DIR/admin.kubeconfig)',
      cause,
    });
  let document: KubeconfigDocument;
  try {
    document = parse(await readFile(kubeconfigPath, 'utf8')) as KubeconfigDocument;
  } catch (error) {
    throw invalid(
      `cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      error,
    );
  }
  const contextName = document?.['current-context'];
  const context = document?.contexts?.find((each) => each.name === contextName)?.context;
  const cluster = document?.clusters?.find((each) => each.name === context?.cluster)?.cluster;
  const user = document?.users?.find((each) => each.name === context?.user)?.user ?? {};
  if (!cluster?.server) throw invalid(`has no server for its current context "${contextName ?? ''}"`);
  const server = cluster.server.replace(/\/+$/, '');
  const base = dirname(kubeconfigPath);
  const material = async (data: string | undefined, path: string | undefined) => {
    if (data) return Buffer.from(data, 'base64');
    if (path) {
      try {
        return await readFile(isAbsolute(path) ? path : resolve(base, path));
      } catch (error) {
        throw invalid(`names ${path}, which cannot be read`, error);
      }
    }
    return undefined;
  };
  const ca = await material(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const cert = await material(user['client-certificate-data'], user['client-certificate']);
  const key = await material(user['client-key-data'], user['client-key']);
  const tls: Tls = {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
    headers: user.token ? { Authorization: `Bearer ${user.token}` } : {},
  };

  return {
    server,
    getJson: (path) => getJson({ server, path, tls, timeoutMs }),
    exec: (execOptions) => exec({ server, tls, timeoutMs: execTimeoutMs, ...execOptions }),
  };
}

interface KubeconfigDocument {
  'current-context'?: string;
  contexts?: Array<{ name: string; context?: { cluster?: string; user?: string } }>;
  clusters?: Array<{
    name: string;
    cluster?: {
      server?: string;
      'certificate-authority'?: string;
      'certificate-authority-data'?: string;
      'insecure-skip-tls-verify'?: boolean;
    };
  }>;
  users?: Array<{
    name: string;
    user?: {
      'client-certificate'?: string;
      'client-certificate-data'?: string;
      'client-key'?: string;
      'client-key-data'?: string;
      token?: string;
    };
  }>;
}

function getJson(options: { server: string; path: string; tls: Tls; timeoutMs: number }): Promise<unknown> {
  const { server, path, tls, timeoutMs } = options;
  const what = `GET ${path} on ${server}`;
  return new Promise((done, fail) => {
    const call = request(
      `${server}${path}`,
      {
        method: 'GET',
        ...tlsOptions(tls),
        headers: { ...tls.headers, Accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => fail(networkError(what, error, timeoutMs)));
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status >= 400) {
            fail(
              new GkectlError({
                code: 'GKECTL_API_ERROR',
                message: `${what}: the server answered ${status} (${serverMessage(body)})`,
                remedy: "check the control plane's pods and etcd",
              }),
            );
            return;
          }
          try {
            done(JSON.parse(body) as unknown);
          } catch (error) {
            fail(
              new GkectlError({
                code: 'GKECTL_API_ERROR',
                message: `${what}: the answer is not JSON`,
                cause: error,
              }),
            );
          }
        });
      },
    );
    call.on('error', (error) => fail(networkError(what, error, timeoutMs)));
    call.end();
  });
}

function exec(
  options: LabExecOptions & { server: string; tls: Tls; timeoutMs: number },
): Promise<LabExecResult> {
  const { server, tls, timeoutMs } = options;
  const query = new URLSearchParams();
  for (const part of options.command) query.append('command', part);
  query.set('container', options.container);
  query.set('stdout', 'true');
  query.set('stderr', 'true');
  const path = `/api/v1/namespaces/${encodeURIComponent(options.namespace)}/pods/${encodeURIComponent(options.pod)}/exec`;
  const what = `exec in pod ${options.namespace}/${options.pod} (container ${options.container}) on ${server}`;
  const socket = new WebSocket(`${server.replace(/^http/, 'ws')}${path}?${query}`, ['v5.channel.k8s.io'], {
    ...tlsOptions(tls),
    headers: tls.headers,
    perMessageDeflate: false,
  });
  return new Promise((done, fail) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let status: { exitCode: number } | { error: string } | undefined;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.terminate();
      outcome();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          fail(
            new GkectlError({
              code: 'GKECTL_TIMEOUT',
              message: `${what}: no answer within ${timeoutMs} ms`,
              isRetryable: true,
            }),
          ),
        ),
      timeoutMs,
    );
    socket.on('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        settle(() =>
          fail(
            new GkectlError({
              code: 'GKECTL_EXEC_FAILED',
              message: `${what}: the server answered ${response.statusCode} (${serverMessage(Buffer.concat(chunks).toString('utf8'))})`,
            }),
          ),
        ),
      );
    });
    socket.on('message', (data: Buffer) => {
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === 1) stdout.push(payload);
      else if (channel === 2) stderr.push(payload);
      else if (channel === 3) status = parseExecStatus(payload.toString('utf8'));
    });
    socket.on('error', (error) => settle(() => fail(networkError(what, error, timeoutMs))));
    socket.on('close', () =>
      settle(() => {
        if (status === undefined) {
          fail(
            new GkectlError({
              code: 'GKECTL_EXEC_FAILED',
              message: `${what}: the connection closed without an exit status`,
            }),
          );
        } else if ('error' in status) {
          fail(new GkectlError({ code: 'GKECTL_EXEC_FAILED', message: `${what}: ${status.error}` }));
        } else {
          done({
            exitCode: status.exitCode,
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
          });
        }
      }),
    );
  });
}

function tlsOptions(tls: Tls) {
  return {
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
    rejectUnauthorized: tls.rejectUnauthorized,
  };
}

/** Reads the V1Status an exec ends with: Success, NonZeroExitCode with its code, or another failure. */
function parseExecStatus(text: string): { exitCode: number } | { error: string } {
  try {
    const status = JSON.parse(text) as {
      status?: string;
      message?: string;
      reason?: string;
      details?: { causes?: Array<{ reason?: string; message?: string }> };
    };
    if (status.status === 'Success') return { exitCode: 0 };
    const code = Number.parseInt(
      status.details?.causes?.find((cause) => cause.reason === 'ExitCode')?.message ?? '',
      10,
    );
    if (status.reason === 'NonZeroExitCode' && Number.isInteger(code)) return { exitCode: code };
    return { error: status.message ?? `exec failed: ${text.slice(0, 200)}` };
  } catch {
    return { error: `unreadable exec status: ${text.slice(0, 200)}` };
  }
}

function serverMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof message === 'string' && message !== '') return message;
  } catch {}
  return body.trim().slice(0, 200) || 'no message';
}

function networkError(what: string, error: unknown, timeoutMs: number): GkectlError {
  const name = (error as Error).name;
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new GkectlError({
      code: 'GKECTL_TIMEOUT',
      message: `${what}: no answer within ${timeoutMs} ms`,
      isRetryable: true,
      cause: error,
    });
  }
  return new GkectlError({
    code: 'GKECTL_API_UNREACHABLE',
    message: `${what}: ${(error as Error).message}`,
    remedy: 'check that the cluster API server runs and the kubeconfig names its address',
    isRetryable: true,
    cause: error,
  });
}
