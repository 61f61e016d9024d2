import { rm } from 'node:fs/promises';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EtcdDrError } from '@etcd-dr/sdk';
import { type BuiltLab, buildLab } from './build-lab.js';
import { serveControl } from './control-protocol.js';
import { sandboxOptionsSchema } from './sandbox-options.js';
import { controlSocketName, type SandboxStatus, writeSandboxStatus } from './sandbox-status.js';

/**
 * The supervisor process: builds the lab, serves `DIR/control.sock`, and tears everything down on SIGTERM,
 * SIGINT, a `down` request, or (with `--attached`) when its parent closes stdin, which is how a test's lab
 * disappears even when the test runner is killed.
 */
export async function runSupervisor(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { options: { type: 'string' }, attached: { type: 'boolean', default: false } },
  });
  const options = sandboxOptionsSchema.parse(JSON.parse(values.options ?? '{}'));
  const base = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    topology: options.topology,
    ha: options.ha,
  } satisfies Partial<SandboxStatus>;
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

  let lab: BuiltLab | undefined;
  let control: Server | undefined;
  let stopping: Promise<never> | undefined;
  let failed = false;
  const stop = (exitCode: number, reason: string): Promise<never> => {
    stopping ??= (async () => {
      log(`stopping: ${reason}`);
      // A failed start keeps its status, which says why, for whoever started it.
      if (!failed) await writeSandboxStatus(options.dir, { ...base, phase: 'stopping' }).catch(() => {});
      control?.close();
      try {
        await lab?.stop();
      } catch (error) {
        log(`stop failed: ${(error as Error).message}`);
      }
      await rm(join(options.dir, controlSocketName), { force: true });
      process.exit(exitCode);
    })();
    return stopping;
  };
  process.on('SIGTERM', () => void stop(0, 'SIGTERM'));
  process.on('SIGINT', () => void stop(0, 'SIGINT'));
  if (values.attached) {
    process.stdin.on('end', () => void stop(0, 'parent closed stdin'));
    process.stdin.on('error', () => void stop(0, 'parent pipe broke'));
    process.stdin.resume();
  }

  await writeSandboxStatus(options.dir, { ...base, phase: 'starting' });
  try {
    lab = await buildLab({ options, log });
    control = await serveControl({
      socketPath: join(options.dir, controlSocketName),
      handle: async (request) => {
        switch (request.op) {
          case 'status':
            return lab!.status();
          case 'break':
            return lab!.breakMembers({ members: request.members });
          case 'down':
            setImmediate(() => void stop(0, 'down requested'));
            return { stopping: true };
        }
      },
    });
    await writeSandboxStatus(options.dir, { ...base, phase: 'ready', files: lab.files });
    log('ready');
  } catch (error) {
    const known = EtcdDrError.isInstance(error)
      ? error.toJSON()
      : { code: 'SANDBOX_START_FAILED', message: (error as Error).message ?? String(error) };
    log(`start failed: ${known.code}: ${known.message}\n${(error as Error).stack ?? ''}`);
    failed = true;
    await writeSandboxStatus(options.dir, { ...base, phase: 'failed', error: known });
    await stop(1, 'start failed');
  }
}
