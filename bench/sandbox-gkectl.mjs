// Measures the lab's `gkectl diagnose cluster --cluster-name USER` on an HA Kubeception lab next to the same
// checks done by hand with kubectl, one after the other (list the control-plane pods, then `etcdctl endpoint
// health` and `endpoint status` exec'd in each member with its certificates). Prints both and their ratio.
// Needs root. Run after a build: node bench/sandbox-gkectl.mjs
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSandbox } from '../packages/sandbox/dist/index.js';

const run = promisify(execFile);
const workDir = await mkdtemp(join(tmpdir(), 'edr-bench-gkectl-'));
const user = 'user-cluster-1';
let lab;
try {
  lab = await startSandbox({
    topology: 'kubeception',
    ha: true,
    dir: join(workDir, 'lab'),
    attached: true,
  });
  const gkectl = async () => {
    await run(
      join(lab.dir, 'bin', 'gkectl'),
      ['diagnose', 'cluster', '--kubeconfig', lab.adminKubeconfig, '--cluster-name', user],
      {
        cwd: workDir,
      },
    );
  };
  const certificates = '/etcd.local.config/certificates';
  const etcdctl = (command) =>
    `ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --cacert=${certificates}/etcdCA.crt --cert=${certificates}/etcd.crt --key=${certificates}/etcd.key ${command} -w json`;
  const byHand = async () => {
    const kubectl = (...args) => run('kubectl', ['--kubeconfig', lab.adminKubeconfig, ...args]);
    await kubectl('get', 'pods', '-n', user, '-o', 'json');
    for (const member of [0, 1, 2]) {
      for (const command of ['endpoint health', 'endpoint status']) {
        await kubectl(
          'exec',
          '-n',
          user,
          `kube-etcd-${member}`,
          '-c',
          'kube-etcd',
          '--',
          '/bin/sh',
          '-c',
          etcdctl(command),
        );
      }
    }
    await run('kubectl', ['--kubeconfig', lab.userKubeconfig, 'get', 'nodes', '-o', 'json']);
  };
  const timed = async (work) => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  const rounds = 5;
  const results = { gkectl: [], byHand: [] };
  for (let round = 0; round < rounds; round++) {
    results.byHand.push(await timed(byHand));
    results.gkectl.push(await timed(gkectl));
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const gkectlMs = median(results.gkectl);
  const byHandMs = median(results.byHand);
  console.log(`gkectl diagnose cluster (HA Kubeception lab), median of ${rounds}:`);
  console.log(`  lab gkectl, checks concurrently      ${gkectlMs.toFixed(0)} ms`);
  console.log(`  the same checks by hand with kubectl ${byHandMs.toFixed(0)} ms`);
  console.log(`  ratio by hand / gkectl               ${(byHandMs / gkectlMs).toFixed(2)}x`);
} finally {
  await lab?.stop();
  await rm(workDir, { recursive: true, force: true });
}
