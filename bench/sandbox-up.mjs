// How long `sandbox up` takes (issue target: an HA lab under 30 s on this machine), Kubeception non-HA and
// HA side by side, three runs each, with the median and the HA/non-HA ratio. Needs root and a build.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, stopSandbox } from '../packages/sandbox/dist/index.js';

const runs = 3;
const median = (values) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)];

async function timeUp(options) {
  const base = await mkdtemp(join(tmpdir(), 'etcd-dr-bench-up-'));
  const dir = join(base, 'lab');
  try {
    const started = performance.now();
    const lab = await startSandbox({ ...options, dir, attached: true });
    const seconds = (performance.now() - started) / 1000;
    await lab.stop();
    return seconds;
  } finally {
    await stopSandbox({ dir });
    await rm(base, { recursive: true, force: true });
  }
}

const results = {};
for (const [name, options] of [
  ['kubeception non-HA', { topology: 'kubeception', ha: false }],
  ['kubeception HA', { topology: 'kubeception', ha: true }],
]) {
  const times = [];
  for (let run = 0; run < runs; run++) times.push(await timeUp(options));
  results[name] = median(times);
  process.stdout.write(
    `${name.padEnd(20)} median ${median(times).toFixed(2)} s (runs: ${times.map((time) => time.toFixed(2)).join(', ')})\n`,
  );
}
const ha = results['kubeception HA'];
process.stdout.write(
  `HA / non-HA: ${(ha / results['kubeception non-HA']).toFixed(2)}x; HA up is ${ha < 30 ? 'under' : 'OVER'} the 30 s target (${((ha / 30) * 100).toFixed(0)}% of it)\n`,
);
