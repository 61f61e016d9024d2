// Measures the nodes of an HA Controlplane V2 lab (three control-plane nodes and a jump host behind which
// they sit): every node started in parallel (as the lab should do it) next to one node at a time, each
// until its sshd accepts connections, plus the first `ssh ... sudo -n true` through the jump host. Prints
// both and their ratio. Run as root after a build: node bench/sandbox-nodes.mjs
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LabNetwork,
  LabState,
  startNode,
  teardown,
  writeSshConfig,
} from '../packages/sandbox/dist/internals.js';

const names = ['user1-cp1', 'user1-cp2', 'user1-cp3'];

async function timed(startAll) {
  const dir = await mkdtemp(join(tmpdir(), 'edr-bench-nodes-'));
  try {
    const state = await LabState.create({ dir });
    const network = await LabNetwork.create({ state });
    const started = performance.now();
    const jump = await startNode({ state, network, name: 'jump', role: 'jump' });
    const nodes = await startAll((name) => startNode({ state, network, name, allowSshFrom: [jump.ip] }));
    const nodesMs = performance.now() - started;
    const { sshConfigPath } = await writeSshConfig({ state, nodes: [jump, ...nodes], jumpHost: 'jump' });
    const login = spawnSync('ssh', ['-F', sshConfigPath, names[0], 'sudo -n true']);
    if (login.status !== 0) throw new Error(`ssh through the jump host failed: ${login.stderr}`);
    return { nodesMs, loginMs: performance.now() - started - nodesMs };
  } finally {
    await teardown({ dir });
    await rm(dir, { recursive: true, force: true });
  }
}

const parallel = (start) => Promise.all(names.map(start));
const serial = async (start) => {
  const nodes = [];
  for (const name of names) nodes.push(await start(name));
  return nodes;
};

const rounds = 3;
const results = { parallel: [], serial: [], login: [] };
for (let round = 0; round < rounds; round++) {
  results.serial.push((await timed(serial)).nodesMs);
  const measured = await timed(parallel);
  results.parallel.push(measured.nodesMs);
  results.login.push(measured.loginMs);
}
const median = (values) => values.sort((left, right) => left - right)[Math.floor(values.length / 2)];
console.log(
  `sandbox nodes of an HA CPv2 lab (jump host + ${names.length} control-plane nodes), median of ${rounds}:`,
);
console.log(`  one at a time:          ${median(results.serial).toFixed(0)} ms`);
console.log(
  `  in parallel:            ${median(results.parallel).toFixed(0)} ms (the HA lab's whole \`up\` must stay under 30000 ms)`,
);
console.log(
  `  ratio:                  ${(median(results.serial) / median(results.parallel)).toFixed(2)}x faster`,
);
console.log(`  first ssh + sudo via jump: ${median(results.login).toFixed(0)} ms`);
