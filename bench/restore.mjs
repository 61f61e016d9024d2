// Measures `etcd-dr restore --yes` of one bundle whose snapshot holds --mb=N MiB (default 500) into an HA
// Kubeception lab (3 members, restored in parallel) and into a non-HA lab (1 member, the same bundle with
// --force-other-cluster), next to the runbook's manual HA sequence scripted with kubectl (members one after
// the other, `kubectl cp` of the snapshot, `rollout restart`) as the baseline, and prints median wall times
// and ratios. Both labs stay up and the three runs alternate in each round, each after a `sync`. Target (issue 6): HA <= 1.5x non-HA. Needs root and several GB free in the temp folder.
// Run after a build: node bench/restore.mjs [--mb=500] [--rounds=2] [--steps]
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSandbox } from '../packages/sandbox/dist/index.js';

const run = promisify(execFile);
const flag = (name, fallback) =>
  Number(process.argv.find((argument) => argument.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const megabytes = flag('mb', 500);
const rounds = flag('rounds', 2);
const workDir = await mkdtemp(join(tmpdir(), 'edr-bench-restore-'));
const user = 'user-cluster-1';
const cli = join(import.meta.dirname, '../packages/cli/dist/etcd-dr.js');
const certificates = '/etcd.local.config/certificates';
const etcdctl = `ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --cacert=${certificates}/etcdCA.crt --cert=${certificates}/etcd.crt --key=${certificates}/etcd.key`;
const median = (values) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)];

// With --steps, prints the restore's own per-step durations: where the wall time of each run goes.
const showSteps = process.argv.includes('--steps');

function cliRun(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd: workDir });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => (stdout += chunk));
    if (showSteps) child.once('close', () => process.stdout.write(stdout));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve((performance.now() - started) / 1000)
        : reject(
            new Error(
              `etcd-dr ${args.join(' ')} failed (${code}): ${stderr.split('\n').slice(-3).join('\n')}`,
            ),
          ),
    );
  });
}

function tools(lab) {
  const kubectl = (...args) =>
    run('kubectl', ['--kubeconfig', lab.adminKubeconfig, '-n', user, ...args], {
      cwd: workDir,
      maxBuffer: 1 << 24,
    });
  const userApiAnswers = async () => {
    for (;;) {
      const ok = await run('kubectl', [
        '--kubeconfig',
        lab.userKubeconfig,
        'get',
        'namespaces',
        '--request-timeout=5s',
      ]).then(
        () => true,
        () => false,
      );
      if (ok) return;
      await new Promise((done) => setTimeout(done, 500));
    }
  };
  return { kubectl, userApiAnswers };
}

async function fill(lab) {
  const { kubectl } = tools(lab);
  const values = Math.ceil(megabytes / 1.33);
  process.stdout.write(`filling the user etcd with ${values} values of 1.33 MiB...\n`);
  await kubectl(
    'exec',
    'kube-etcd-0',
    '-c',
    'kube-etcd',
    '--',
    '/bin/sh',
    '-ec',
    `i=0; while [ $i -lt ${values} ]; do head -c 1048576 /dev/urandom | base64 -w0 | ${etcdctl} put /registry/bench/filler-$i >/dev/null; i=$((i+1)); done`,
  );
}

/** The runbook's HA Kubeception restore, step by step with kubectl, members one after the other. */
async function runbookHa(lab, snapshot, members) {
  const { kubectl, userApiAnswers } = tools(lab);
  const started = performance.now();
  const pdb = (await kubectl('get', 'pdb', 'kube-apiserver-pdb', '-o', 'yaml')).stdout;
  await writeFile(join(workDir, 'pdb.yaml'), pdb);
  await kubectl('delete', 'pdb', 'kube-apiserver-pdb');
  await kubectl('scale', 'statefulset', 'kube-apiserver', '--replicas=0');
  await kubectl('scale', 'deployment', 'gke-master-etcd-maintenance', '--replicas=0');
  const secret = (await kubectl('get', 'secrets', '-o', 'name')).stdout
    .split('\n')
    .find((line) => line.includes('kube-etcd-certs'))
    .split('/')[1];
  const initialCluster = Array.from(
    { length: members },
    (_, n) => `kube-etcd-${n}=https://kube-etcd-${n}.kube-etcd:2380`,
  ).join(',');
  for (let n = 0; n < members; n++) {
    const node = (await kubectl('get', 'pod', `kube-etcd-${n}`, '-o', 'jsonpath={.spec.nodeName}')).stdout;
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: etcd-utility-${n}, namespace: ${user}}
spec:
  containers:
  - command: ["/bin/sh", "-ec", "while :; do echo '.'; sleep 5 ; done"]
    image: gcr.io/gke-on-prem-release/etcd-util:1.28.400-gke.75
    name: etcd-utility
    volumeMounts:
    - {mountPath: /var/lib/etcd, name: data}
    - {mountPath: /etcd.local.config/certificates, name: etcd-certs}
  nodeSelector: {kubernetes.googleapis.com/cluster-name: ${user}, kubernetes.io/hostname: ${node}}
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: data-kube-etcd-${n}}}
  - {name: etcd-certs, secret: {defaultMode: 420, secretName: ${secret}}}
`;
    await writeFile(join(workDir, `utility-${n}.yaml`), pod);
    await kubectl('create', '-f', join(workDir, `utility-${n}.yaml`));
    await kubectl('wait', '--for=condition=Ready', `pod/etcd-utility-${n}`, '--timeout=120s');
    // The runbook copies to / and restores there; the lab's pod root is a 512 MiB tmpfs that a 500 MiB
    // snapshot plus its restored copy overflow, so the baseline uses the pod's /tmp (a host folder) instead.
    await kubectl('cp', snapshot, `${user}/etcd-utility-${n}:/tmp/snapshot.db`, '-c', 'etcd-utility');
    await kubectl(
      'exec',
      `etcd-utility-${n}`,
      '-c',
      'etcd-utility',
      '--',
      '/bin/sh',
      '-ec',
      `cd /tmp && ETCDCTL_API=3 etcdctl --name=kube-etcd-${n} --initial-cluster=${initialCluster} --initial-cluster-token=etcd-cluster-1 --initial-advertise-peer-urls=https://kube-etcd-${n}.kube-etcd:2380 snapshot restore snapshot.db >/dev/null 2>&1 && rm -r /var/lib/etcd/* && cp -r kube-etcd-${n}.etcd/* /var/lib/etcd/ && rm -rf kube-etcd-${n}.etcd snapshot.db`,
    );
    await kubectl('delete', 'pod', `etcd-utility-${n}`, '--grace-period=0');
  }
  await kubectl('rollout', 'restart', 'statefulset', 'kube-etcd');
  await kubectl('scale', 'statefulset', 'kube-apiserver', `--replicas=${members}`);
  await kubectl('scale', 'deployment', 'gke-master-etcd-maintenance', '--replicas=1');
  await kubectl('apply', '-f', join(workDir, 'pdb.yaml'));
  await userApiAnswers();
  return (performance.now() - started) / 1000;
}

const results = { ha: [], nonHa: [], runbook: [] };
// Dirty pages left by the previous run (a 500 MiB fill, a bundle, restored members) are written back while the
// next one runs and slow it down: each timed run starts after a sync, so no run pays for the one before.
const settle = () => run('sync');
let bundle;
let haLab;
let nonHaLab;
try {
  haLab = await startSandbox({
    topology: 'kubeception',
    ha: true,
    dir: join(workDir, 'lab-ha'),
    attached: true,
  });
  await fill(haLab);
  await cliRun(['backup', '--config', haLab.config, '--out', join(workDir, 'bundles'), '--json']);
  bundle = join(workDir, 'bundles', (await run('ls', [join(workDir, 'bundles')])).stdout.trim());
  // Both labs stay up and the runs alternate, so HA and non-HA are measured under the same conditions.
  nonHaLab = await startSandbox({
    topology: 'kubeception',
    dir: join(workDir, 'lab-non-ha'),
    attached: true,
  });
  const restore = (lab, name, extra = []) =>
    cliRun([
      'restore',
      '--config',
      lab.config,
      '--from',
      bundle,
      '--yes',
      '--work-dir',
      join(workDir, name),
      ...extra,
    ]);
  for (let round = 0; round < rounds; round++) {
    await settle();
    results.ha.push(await restore(haLab, `work-ha-${round}`));
    console.log(`  round ${round}: etcd-dr HA ${results.ha.at(-1).toFixed(2)} s`);
    await settle();
    results.nonHa.push(await restore(nonHaLab, `work-non-ha-${round}`, ['--force-other-cluster']));
    console.log(`  round ${round}: etcd-dr non-HA ${results.nonHa.at(-1).toFixed(2)} s`);
    await settle();
    results.runbook.push(await runbookHa(haLab, join(bundle, 'snapshot.db'), 3));
    console.log(`  round ${round}: runbook HA ${results.runbook.at(-1).toFixed(2)} s`);
  }
  const ha = median(results.ha);
  const nonHa = median(results.nonHa);
  const runbook = median(results.runbook);
  console.log(`restore of a ${megabytes} MiB snapshot (Kubeception lab), median of ${rounds}:`);
  console.log(`  etcd-dr restore, non-HA (1 member)              ${nonHa.toFixed(2)} s`);
  console.log(`  etcd-dr restore, HA (3 members in parallel)      ${ha.toFixed(2)} s`);
  console.log(`  runbook HA sequence with kubectl (one by one)    ${runbook.toFixed(2)} s`);
  console.log(`  HA / non-HA          ${(ha / nonHa).toFixed(2)}x (goal <= 1.50)`);
  console.log(`  runbook HA / etcd-dr HA  ${(runbook / ha).toFixed(2)}x`);
} finally {
  await haLab?.stop();
  await nonHaLab?.stop();
  await rm(workDir, { recursive: true, force: true });
}
