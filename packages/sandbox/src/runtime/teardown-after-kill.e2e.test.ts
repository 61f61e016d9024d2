import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { labStateFileSchema } from './lab-object.js';
import { runCommand } from './run-command.js';
import { teardown } from './teardown.js';
import { cleanUpCrashedLab, distEntry, pgrep, startLabBuilderChild } from './testing/lab-builder-child.js';

let dir: string | undefined;
let prefix: string | undefined;
afterEach(async () => {
  await cleanUpCrashedLab({ dir, prefix });
  dir = undefined;
  prefix = undefined;
});

const childScript = (labDir: string, marker: string) => `
import { spawn } from 'node:child_process';
import { LabState, LabNetwork, BwrapPodRuntime } from ${JSON.stringify(distEntry)};
const state = await LabState.create({ dir: ${JSON.stringify(labDir)} });
const network = await LabNetwork.create({ state });
const runtime = await BwrapPodRuntime.create({ state, network });
const helper = spawn('sh', ['-c', 'sleep 1000; : ${marker}-helper'], { detached: true, stdio: 'ignore' });
state.recordProcess({ pid: helper.pid, group: true, description: 'a helper that outlives its parent' });
for (const index of [0, 1]) {
  await runtime.runPod({
    uid: 'uid-' + index, namespace: 'lab', name: 'sleeper-' + index, hostname: 'sleeper-' + index,
    restartPolicy: 'Always', network: { kind: 'own' }, volumes: [],
    containers: [{ name: 'main', image: 'etcd-dr-lab/sleeper:1', command: ['sh', '-c', 'sleep 1000; : ${marker}'], volumeMounts: [] }],
  });
}
while (!['uid-0', 'uid-1'].every((uid) => runtime.podStatus(uid)?.containers[0]?.ready)) await new Promise((r) => setTimeout(r, 50));
console.log('ready ' + state.prefix);
setInterval(() => {}, 1000);
`;

describe('teardown after the lab builder was SIGKILLed (as root)', () => {
  it('removes every netns, link, process and file the dead process left', async () => {
    expect(existsSync(distEntry), `build the package first (${distEntry})`).toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'edr-crash-'));
    const marker = `edr-marker-${randomBytes(4).toString('hex')}`;
    const child = await startLabBuilderChild({ script: childScript(dir, marker) });
    const [ready] = child.fields;
    prefix = ready;
    expect(await pgrep(marker)).not.toBe('');
    await child.kill();

    const left = labStateFileSchema.parse(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')));
    expect(left.objects.map((object) => object.kind)).toEqual(
      expect.arrayContaining(['netns', 'link', 'process', 'directory', 'file']),
    );
    expect((await runCommand({ command: 'ip', args: ['netns', 'list'] })).stdout).toContain(prefix);

    await teardown({ dir });

    expect((await runCommand({ command: 'ip', args: ['netns', 'list'] })).stdout).not.toContain(prefix);
    expect((await runCommand({ command: 'ip', args: ['-o', 'link'] })).stdout).not.toContain(prefix);
    expect(await pgrep(marker)).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });
});
