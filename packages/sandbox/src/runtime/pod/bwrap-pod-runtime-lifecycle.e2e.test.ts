import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabState } from '../lab-state.js';
import { LabNetwork } from '../network/lab-network.js';
import type { RuntimePodSpec } from '../pod-runtime.js';
import { runCommand } from '../run-command.js';
import { teardown } from '../teardown.js';
import { BwrapPodRuntime } from './bwrap-pod-runtime.js';

let dir: string;
let network: LabNetwork;
let runtime: BwrapPodRuntime;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edr-lifecycle-'));
  const state = await LabState.create({ dir });
  network = await LabNetwork.create({ state });
  runtime = await BwrapPodRuntime.create({ state, network });
});

afterAll(async () => {
  try {
    await runtime?.close();
    await network?.close();
  } finally {
    if (dir) {
      await teardown({ dir });
      await rm(dir, { recursive: true, force: true });
    }
  }
});

function shellPod(options: {
  uid: string;
  name: string;
  script: string;
  restartPolicy?: RuntimePodSpec['restartPolicy'];
}): RuntimePodSpec {
  return {
    uid: options.uid,
    namespace: 'lab',
    name: options.name,
    hostname: options.name,
    restartPolicy: options.restartPolicy ?? 'Always',
    network: { kind: 'own' },
    volumes: [],
    containers: [
      {
        name: 'main',
        image: 'gcr.io/gke-on-prem-release/etcd-util:1.28.400-gke.77',
        command: ['sh', '-c', options.script],
        volumeMounts: [],
      },
    ],
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk;
  return text;
}

const pgrep = async (pattern: string) =>
  (await runCommand({ command: 'pgrep', args: ['-f', pattern], allowFailure: true })).stdout.trim();

describe('BwrapPodRuntime lifecycle (as root)', () => {
  it('ends a Never pod Failed with its exit code and an OnFailure pod Succeeded after a retry', async () => {
    await runtime.runPod(
      shellPod({ uid: 'never', name: 'never', script: 'echo bye; exit 3', restartPolicy: 'Never' }),
    );
    await waitFor('never pod failed', () => runtime.podStatus('never')?.phase === 'Failed');
    expect(runtime.podStatus('never')?.containers[0]).toMatchObject({
      restartCount: 0,
      ready: false,
      state: { terminated: { exitCode: 3, reason: 'Error' } },
    });
    expect(await readAll(runtime.logs({ uid: 'never', container: 'main' }))).toBe('bye\n');

    await runtime.runPod(
      shellPod({
        uid: 'retry',
        name: 'retry',
        script: 'if [ -e /tmp/again ]; then exit 0; fi; touch /tmp/again; exit 1',
        restartPolicy: 'OnFailure',
      }),
    );
    await waitFor('retried pod succeeded', () => runtime.podStatus('retry')?.phase === 'Succeeded');
    expect(runtime.podStatus('retry')?.containers[0]).toMatchObject({
      restartCount: 1,
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    await Promise.all([runtime.killPod('never'), runtime.killPod('retry')]);
  });

  it('follows a running container log until the container ends', async () => {
    await runtime.runPod(
      shellPod({
        uid: 'talker',
        name: 'talker',
        script: 'for n in 1 2 3; do echo line $n; sleep 0.3; done',
        restartPolicy: 'Never',
      }),
    );
    await waitFor('talker running', () => runtime.podStatus('talker')?.containers[0]?.started);
    const followed = await readAll(runtime.logs({ uid: 'talker', container: 'main', follow: true }));
    expect(followed).toBe('line 1\nline 2\nline 3\n');
    expect(runtime.podStatus('talker')?.phase).toBe('Succeeded');
    await runtime.killPod('talker');
  });

  it('kills a container that ignores SIGTERM once the grace period ends, and an exec on request', async () => {
    await runtime.runPod(
      shellPod({ uid: 'stubborn', name: 'stubborn', script: "trap '' TERM; sleep 7300 & wait; sleep 7301" }),
    );
    await waitFor('stubborn running', () => runtime.podStatus('stubborn')?.containers[0]?.ready);
    const session = runtime.exec({
      uid: 'stubborn',
      container: 'main',
      command: ['sleep', '7302'],
      tty: false,
    });
    session.stdin.end();
    await new Promise((resolve) => setTimeout(resolve, 200));
    session.kill();
    expect(await session.exit).toEqual({ exitCode: 137 });
    const started = Date.now();
    await runtime.killPod('stubborn', { gracePeriodSeconds: 1 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(runtime.podStatus('stubborn')).toBeUndefined();
    expect(await pgrep('sleep 730[012]')).toBe('');
  });

  it('starts a pod that replaces a terminating or stale one of the same name at the same address', async () => {
    await runtime.runPod(shellPod({ uid: 'first', name: 'kube-etcd-0', script: 'sleep 7303' }));
    await waitFor('first running', () => runtime.podStatus('first')?.containers[0]?.ready);
    const address = runtime.podStatus('first')?.ip;
    const killing = runtime.killPod('first', { gracePeriodSeconds: 5 });
    await runtime.runPod(shellPod({ uid: 'second', name: 'kube-etcd-0', script: 'sleep 7304' }));
    await killing;
    expect(runtime.podStatus('first')).toBeUndefined();
    await waitFor('second running', () => runtime.podStatus('second')?.containers[0]?.ready);
    expect(runtime.podStatus('second')?.ip).toBe(address);
    await runtime.runPod(shellPod({ uid: 'second', name: 'kube-etcd-0', script: 'ignored: same uid' }));
    expect(await pgrep('sleep 7304')).not.toBe('');
    await runtime.runPod(shellPod({ uid: 'third', name: 'kube-etcd-0', script: 'sleep 7305' }));
    expect(runtime.podStatus('second')).toBeUndefined();
    await waitFor('third running', () => runtime.podStatus('third')?.containers[0]?.ready);
    expect(await pgrep('sleep 730[34]')).toBe('');
    await runtime.killPod('third');
    expect(await pgrep('sleep 7305')).toBe('');
  });

  it('refuses a pod whose mount names no volume, leaving nothing behind', async () => {
    const spec = shellPod({ uid: 'bad', name: 'bad', script: 'true' });
    spec.containers[0]!.volumeMounts = [{ name: 'data', mountPath: '/var/lib/etcd' }];
    await expect(runtime.runPod(spec)).rejects.toMatchObject({ code: 'SANDBOX_POD_INVALID' });
    expect(runtime.podStatus('bad')).toBeUndefined();
    expect((await runCommand({ command: 'ip', args: ['netns', 'list'] })).stdout).not.toContain('-lab-bad');
  });
});
