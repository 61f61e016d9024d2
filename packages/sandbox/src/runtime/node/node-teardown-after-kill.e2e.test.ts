import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { labStateFileSchema } from '../lab-object.js';
import { runCommand } from '../run-command.js';
import { teardown } from '../teardown.js';
import { cleanUpCrashedLab, distEntry, pgrep, startLabBuilderChild } from '../testing/lab-builder-child.js';

let dir: string | undefined;
let prefix: string | undefined;
afterEach(async () => {
  await cleanUpCrashedLab({ dir, prefix });
  dir = undefined;
  prefix = undefined;
});

const childScript = (labDir: string, marker: string) => `
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabState, LabNetwork, BwrapPodRuntime, startNode, NodeAgent } from ${JSON.stringify(distEntry)};
const state = await LabState.create({ dir: ${JSON.stringify(labDir)} });
const network = await LabNetwork.create({ state });
const runtime = await BwrapPodRuntime.create({ state, network });
const node = await startNode({ state, network, name: 'cp1' });
const agent = await NodeAgent.start({ node, runtime });
writeFileSync(join(node.root, 'etc/kubernetes/manifests/sleeper.yaml'),
  'apiVersion: v1\\nkind: Pod\\nmetadata: {name: sleeper, namespace: kube-system}\\nspec:\\n  hostNetwork: true\\n' +
  '  containers: [{name: main, image: etcd-dr-lab/sleeper:1, command: [sh, -c, "sleep 1000; : ${marker}-pod"]}]\\n');
await agent.sync();
while (!agent.pods()[0]?.status?.containers[0]?.ready) await new Promise((r) => setTimeout(r, 50));
const session = spawn('ssh', ['-i', node.privateKeyPath, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
  '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', 'ubuntu@' + node.ip, 'sudo -n sh -c "sleep 1000; : ${marker}-ssh"'], { stdio: 'ignore', detached: true });
while (!(await new Promise((r) => { const p = spawn('pgrep', ['-f', '${marker}-ssh']); p.on('close', (code) => r(code === 0)); })))
  await new Promise((r) => setTimeout(r, 50));
console.log('ready ' + state.prefix + ' ' + node.directory + ' ' + session.pid);
setInterval(() => {}, 1000);
`;

describe('teardown of a node after the lab builder was SIGKILLed', () => {
  it('removes the node processes (sshd sessions, static pods), its netns, link, /usr overlay mount and files', async () => {
    expect(existsSync(distEntry), `build the package first (${distEntry})`).toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'edr-node-crash-'));
    const marker = `edr-marker-${randomBytes(4).toString('hex')}`;
    const child = await startLabBuilderChild({ script: childScript(dir, marker) });
    const [readyPrefix, nodeDirectory, sessionPid] = child.fields;
    prefix = readyPrefix;
    expect(await pgrep(`${marker}-pod`)).not.toBe('');
    expect(await pgrep(`${marker}-ssh`)).not.toBe('');
    await child.kill();
    try {
      process.kill(-Number(sessionPid), 'SIGKILL');
    } catch {}

    const left = labStateFileSchema.parse(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')));
    expect(left.objects.map((object) => object.kind)).toEqual(
      expect.arrayContaining(['netns', 'link', 'process', 'directory', 'mount']),
    );

    await teardown({ dir });

    expect(await pgrep(marker)).toBe('');
    expect((await runCommand({ command: 'ip', args: ['netns', 'list'] })).stdout).not.toContain(prefix);
    expect((await runCommand({ command: 'ip', args: ['-o', 'link'] })).stdout).not.toContain(prefix);
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(nodeDirectory!);
    expect(existsSync(nodeDirectory!)).toBe(false);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
  });
});
