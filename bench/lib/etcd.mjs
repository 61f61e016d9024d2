// A throwaway single-member etcd for benchmarks (the tests use packages/sdk/src/test-support instead,
// which is TypeScript and not built into any package).
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function waitForExit(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts etcd on free loopback ports with its data in `dir/data`; resolves once it is healthy. */
export async function startEtcd({ dir, extraArgs = [] }) {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const log = openSync(join(dir, 'etcd.log'), 'a');
  const child = spawn(
    'etcd',
    [
      ...['--name', 'bench', '--data-dir', join(dir, 'data')],
      ...['--listen-client-urls', endpoint, '--advertise-client-urls', endpoint],
      ...['--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl],
      ...['--initial-cluster', `bench=${peerUrl}`],
      ...extraArgs,
    ],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 10_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5000);
    }
  };
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child.exitCode !== null) break;
    const healthy = await fetch(`${endpoint}/health`)
      .then((response) => response.json())
      .then((body) => body.health === 'true')
      .catch(() => false);
    if (healthy) return { endpoint, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`etcd did not become healthy on ${endpoint}; see ${join(dir, 'etcd.log')}`);
}

/** Calls etcd's v3 JSON gateway, e.g. `gateway(endpoint, 'kv/txn', body)`. */
export async function gateway(endpoint, path, body) {
  const response = await fetch(`${endpoint}/v3/${path}`, { method: 'POST', body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST /v3/${path}: HTTP ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}
