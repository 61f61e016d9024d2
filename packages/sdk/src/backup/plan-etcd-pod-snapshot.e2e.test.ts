import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startEtcdGate, useSnapshotScriptEtcd } from '../test-support/snapshot-script-fixtures.js';
import { parseSnapshotMarkers } from './plan-etcd-pod-snapshot.js';
import { SnapshotStreamHash } from './snapshot-stream-hash.js';

const execFileAsync = promisify(execFile);

interface ScriptRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a plan's `/bin/sh -ec SCRIPT` here, as the pod would; `onStdout` gets the shell, to kill it. */
function runScript(
  command: string[],
  options: { onStdout?: (chunk: Buffer, shell: ReturnType<typeof spawn>) => void } = {},
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const shell = spawn(command[0]!, command.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The gate below holds etcd's answers, HTTP/2 pings included: on a loaded machine etcdctl's keepalive
      // (2 s, 6 s timeout) would give up on the held stream (exit 5) before the test releases it.
      env: { ...process.env, ETCDCTL_KEEPALIVE_TIME: '60s', ETCDCTL_KEEPALIVE_TIMEOUT: '60s' },
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    shell.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      options.onStdout?.(chunk, shell);
    });
    shell.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    shell.once('error', reject);
    shell.once('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !/^State:.*zombie/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

describe('the snapshot scripts, run against a real etcd without a pod', () => {
  const setup = useSnapshotScriptEtcd({
    prefix: 'etcd-dr-snapshot-scripts-',
    temporaryFileName: "etcd-dr 'x'.db",
  });
  const { planIn, closeAfterTest } = setup;

  it('streams the snapshot while etcdctl writes it: stdout is the final file, markers tell size and status', async () => {
    const { plan, directory } = await planIn();
    const run = await runScript(plan.streamSnapshot.command);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    const file = await readFile(plan.temporaryFile);
    expect(run.stdout.length).toBeGreaterThan(5 * 1024 * 1024);
    expect(run.stdout.equals(file)).toBe(true);
    const hasher = new SnapshotStreamHash();
    hasher.update(run.stdout);
    expect(hasher.result().trailerMatches).toBe(true);
    const markers = parseSnapshotMarkers(run.stderr);
    const status = JSON.parse(
      (await execFileAsync('etcdctl', ['snapshot', 'status', plan.temporaryFile, '-w', 'json'])).stdout,
    );
    expect(markers).toEqual({
      size: file.length,
      status: { revision: status.revision, totalKeys: status.totalKey },
    });
    expect(status.totalKey).toBeGreaterThanOrEqual(40);
    expect((await stat(plan.temporaryFile)).mode & 0o777).toBe(0o600);

    const cleanup = await runScript(plan.cleanup.command);
    expect(cleanup.code).toBe(0);
    expect(await readdir(directory)).toEqual([]);
  });

  it("fails with etcdctl's status and message, leaving no file, when etcdctl cannot connect", async () => {
    const { plan, directory } = await planIn({ key: join(setup.base, 'missing.key') });
    const run = await runScript(plan.streamSnapshot.command);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/missing\.key: no such file or directory/);
    expect(parseSnapshotMarkers(run.stderr)).toEqual({});
    expect(run.stdout.length).toBe(0);
    expect(await readdir(directory)).toEqual([]);
  });

  it('resumes a stream killed mid-way from the bytes received, waiting for etcdctl to finish', async () => {
    // etcd's answers pass up to 1 MiB, then wait for release: etcdctl is held mid-write.
    const gate = await startEtcdGate({ target: setup.etcd.endpoint, passBytes: 1024 * 1024 });
    closeAfterTest(gate.close);
    const { plan, directory } = await planIn({ endpoint: gate.endpoint });
    let killed = false;
    const cut = await runScript(plan.streamSnapshot.command, {
      onStdout: (_chunk, shell) => {
        if (!killed) shell.kill('SIGKILL');
        killed = true;
      },
    });
    expect(cut.code).toBeNull();
    expect(cut.stdout.length).toBeGreaterThan(0);
    expect(parseSnapshotMarkers(cut.stderr)).toEqual({});
    expect(existsSync(plan.temporaryFile)).toBe(false);
    let resumed = false;
    const resuming = runScript(plan.resumeSnapshot(cut.stdout.length).command).finally(() => {
      resumed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(resumed).toBe(false);
    gate.release();
    const rest = await resuming;
    expect(rest.code).toBe(0);
    const file = await readFile(plan.temporaryFile);
    const received = Buffer.concat([cut.stdout, rest.stdout]);
    expect(received.length).toBe(file.length);
    expect(received.equals(file)).toBe(true);
    expect(parseSnapshotMarkers(rest.stderr).size).toBe(file.length);
    expect(parseSnapshotMarkers(rest.stderr).status?.totalKeys).toBeGreaterThanOrEqual(40);
    await runScript(plan.cleanup.command);
    expect(await readdir(directory)).toEqual([]);
  });

  it("resume fails with etcdctl's message when the snapshot was never completed", async () => {
    const { plan } = await planIn({ key: join(setup.base, 'missing.key') });
    await runScript(plan.streamSnapshot.command);
    const rest = await runScript(plan.resumeSnapshot(0).command);
    expect(rest.code).not.toBe(0);
    expect(rest.stderr).toMatch(/did not complete/);
    expect(rest.stdout.length).toBe(0);
  });

  it('cleanup kills a saver that is still running and removes every temporary file', async () => {
    // An endpoint that accepts connections and never answers: etcdctl waits in its dial.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    closeAfterTest(() => silent.close());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const { plan, directory } = await planIn({ endpoint: `http://127.0.0.1:${port}` });
    const shell = spawn(plan.streamSnapshot.command[0]!, plan.streamSnapshot.command.slice(1), {
      stdio: 'ignore',
    });
    try {
      let pid = 0;
      for (let attempt = 0; attempt < 100 && !pid; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        pid = Number((await readFile(`${plan.temporaryFile}.pid`, 'utf8').catch(() => '')).trim());
      }
      expect(pid).toBeGreaterThan(0);
      shell.kill('SIGKILL');
      expect(isRunning(pid)).toBe(true);
      expect(existsSync(`${plan.temporaryFile}.part`)).toBe(true);
      const cleanup = await runScript(plan.cleanup.command);
      expect(cleanup.code).toBe(0);
      expect(isRunning(pid)).toBe(false);
      expect(await readdir(directory)).toEqual([]);
    } finally {
      shell.kill('SIGKILL');
      for (const socket of sockets) socket.destroy();
    }
  });
});
