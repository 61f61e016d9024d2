import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The Azure Storage emulator's well-known development account (public, documented by Azurite). */
export const azuriteAccount = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
} as const;

/** A running Azurite blob service. */
export interface Azurite extends AsyncDisposable {
  /** `http://127.0.0.1:PORT/devstoreaccount1`: the account's blob endpoint. */
  blobEndpoint: string;
  /** Folder holding the emulator's data; removed by `stop`. */
  directory: string;
  stop(): Promise<void>;
}

/** Options of {@link startAzurite}. */
export interface StartAzuriteOptions {
  /** How long to wait for the service to listen. Default 30 000 ms. */
  timeoutMs?: number;
}

/**
 * Starts Azurite's blob service on 127.0.0.1 and a free port, with its data in a new temporary folder and
 * telemetry off (it would otherwise post to the internet). `stop` kills it and removes the folder.
 */
export async function startAzurite(options: StartAzuriteOptions = {}): Promise<Azurite> {
  const directory = await mkdtemp(join(tmpdir(), 'etcd-dr-azurite-'));
  const require = createRequire(import.meta.url);
  const entry = join(dirname(require.resolve('azurite/package.json')), 'dist/src/blob/main.js');
  const child = spawn(
    process.execPath,
    [
      entry,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--location',
      directory,
      '--disableTelemetry',
      '--disableProductStyleUrl',
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stop = async () => {
    await killAndWait(child);
    await rm(directory, { recursive: true, force: true });
  };
  try {
    const port = await waitForPort(child, options.timeoutMs ?? 30_000);
    const blobEndpoint = `http://127.0.0.1:${port}/${azuriteAccount.name}`;
    return { blobEndpoint, directory, stop, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function waitForPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`Azurite did not listen within ${timeoutMs} ms: ${output}`)),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code, signal) => fail(new Error(`Azurite exited (${code ?? signal}): ${output}`)));
    child.once('error', fail);
  });
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
