// Measures `up` of the HA labs side by side: Controlplane V2 behind a jump host (six nodes, three etcd
// static pods, the admin etcd) next to Kubeception (one node, three kube-etcd pods), each from the call to
// startSandbox until every pod is Ready and the user API answers, then `down`. Prints the medians, their
// ratio and the share of the 30 s budget. Run as root after a build: node bench/sandbox-up.mjs
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, stopSandbox } from '../packages/sandbox/dist/index.js';

async function timedUp(options) {
  const parent = await mkdtemp(join(tmpdir(), 'edr-bench-up-'));
  const dir = join(parent, 'lab');
  try {
    const started = performance.now();
    await startSandbox({ ...options, dir, attached: true });
    const upMs = performance.now() - started;
    const stopping = performance.now();
    await stopSandbox({ dir });
    return { upMs, downMs: performance.now() - stopping };
  } finally {
    await stopSandbox({ dir }).catch(() => {});
    await rm(parent, { recursive: true, force: true });
  }
}

const rounds = 3;
const results = { cpv2: [], kubeception: [], cpv2Down: [] };
for (let round = 0; round < rounds; round++) {
  const cpv2 = await timedUp({ topology: 'controlplane-v2', ha: true, jumpHost: true });
  results.cpv2.push(cpv2.upMs);
  results.cpv2Down.push(cpv2.downMs);
  results.kubeception.push((await timedUp({ topology: 'kubeception', ha: true })).upMs);
}
const median = (values) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)];
console.log(`sandbox up of the HA labs, median of ${rounds}:`);
console.log(`  kubeception HA:                 ${median(results.kubeception).toFixed(0)} ms`);
console.log(
  `  controlplane-v2 HA + jump host: ${median(results.cpv2).toFixed(0)} ms (${((100 * median(results.cpv2)) / 30_000).toFixed(0)}% of the 30000 ms budget)`,
);
console.log(
  `  ratio cpv2 / kubeception:       ${(median(results.cpv2) / median(results.kubeception)).toFixed(2)}`,
);
console.log(`  down of the cpv2 lab:           ${median(results.cpv2Down).toFixed(0)} ms`);
