import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

/** A real etcd started for one test on random loopback ports. */
export interface TestEtcd {
  clientUrl: string;
  dataDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A free loopback TCP port (tests; another process may still take it before use). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until etcd at `clientUrl` reports healthy, or fails after 15 s or when the process exits. */
export async function waitHealthy(
  clientUrl: string,
  child: ChildProcess,
  tls: TestEtcdTls | undefined,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  const https = await import('node:https');
  const http = await import('node:http');
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`test etcd exited with ${child.exitCode} before becoming healthy`);
    const ok = await new Promise<boolean>((resolve) => {
      const requester = clientUrl.startsWith('https') ? https.request : http.request;
      const request = requester(
        `${clientUrl}/health`,
        { ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {}), timeout: 1000 },
        (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => resolve(body.includes('"true"')));
        },
      );
      request.on('error', () => resolve(false));
      request.on('timeout', () => request.destroy());
      request.end();
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`test etcd at ${clientUrl} did not become healthy within 15 s`);
}

/** Client TLS for a test etcd (PEM text for the health probe, file paths for etcd's flags). */
export interface TestEtcdTls {
  ca: string;
  cert: string;
  key: string;
  files: { ca: string; cert: string; key: string };
}

/**
 * Starts Debian's etcd on free random loopback ports with its data under `directory` (tests only).
 * With `tls`, the client URL is HTTPS and client certificates are required.
 */
export async function startTestEtcd(options: {
  directory: string;
  tls?: TestEtcdTls;
  dataDir?: string;
}): Promise<TestEtcd> {
  const dataDir = options.dataDir ?? path.join(options.directory, 'etcd-data');
  await mkdir(options.directory, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const clientPort = await freePort();
    const peerPort = await freePort();
    const scheme = options.tls ? 'https' : 'http';
    const clientUrl = `${scheme}://127.0.0.1:${clientPort}`;
    const tlsFlags = options.tls
      ? [
          '--client-cert-auth',
          '--trusted-ca-file',
          options.tls.files.ca,
          '--cert-file',
          options.tls.files.cert,
          '--key-file',
          options.tls.files.key,
        ]
      : [];
    const child = spawn(
      'etcd',
      [
        '--name',
        'test',
        '--data-dir',
        dataDir,
        '--listen-client-urls',
        clientUrl,
        '--advertise-client-urls',
        clientUrl,
        '--listen-peer-urls',
        `http://127.0.0.1:${peerPort}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${peerPort}`,
        '--initial-cluster',
        `test=http://127.0.0.1:${peerPort}`,
        ...tlsFlags,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      });
    };
    try {
      await waitHealthy(clientUrl, child, options.tls);
      return { clientUrl, dataDir, process: child, stop };
    } catch (error) {
      await stop();
      if (attempt >= 2) throw new Error(`${(error as Error).message}\n${stderr}`);
    }
  }
}
