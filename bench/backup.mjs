// Measures `etcd-dr backup` on a non-HA Kubeception lab whose user etcd holds --mb=N MiB (default 500) next to the floor (the raw `etcdctl snapshot save` inside the etcd pod) and the runbook's way (exec
// `snapshot save`, then `kubectl cp`), alternately, and prints the median wall times, the ratios and the
// CLI's peak RSS (GNU time). Targets (issue 5): etcd-dr <= 1.4x the floor, >= 2x faster than the runbook's
// way, peak RSS < 200 MB. Then the transfer alone, on one snapshot file left in the pod: etcd-dr's (the SDK's
// exec stream into the bundle writer, bench/lib/transfer-snapshot.mjs) next to `kubectl cp`. Wall times on this
// shared two-core machine depend on its load, printed with the results. Needs root. Run after a build:
// node bench/backup.mjs [--mb=500] [--rounds=5]
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSandbox } from '../packages/sandbox/dist/index.js';

const run = promisify(execFile);
const flag = (name, fallback) =>
  Number(process.argv.find((argument) => argument.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const megabytes = flag('mb', 500);
// Five: single rounds on this shared VM spread by ±20% (the floor alone 3.8-4.9 s in one run).
const rounds = flag('rounds', 5);
const workDir = await mkdtemp(join(tmpdir(), 'edr-bench-backup-'));
const user = 'user-cluster-1';
const cli = join(import.meta.dirname, '../packages/cli/dist/etcd-dr.js');
const transferOnly = join(import.meta.dirname, 'lib/transfer-snapshot.mjs');
const certificates = '/etcd.local.config/certificates';
const etcdctl = `ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --cacert=${certificates}/etcdCA.crt --cert=${certificates}/etcd.crt --key=${certificates}/etcd.key`;

/** Runs a command under GNU time; resolves with wall seconds and peak RSS in MiB. */
function measure(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '@@time %e %M', command, ...args], { cwd: workDir });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.resume();
    child.once('error', reject);
    child.once('close', (code) => {
      const match = stderr.match(/@@time ([\d.]+) (\d+)/);
      if (code !== 0 || !match)
        return reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${stderr}`));
      resolve({ seconds: Number(match[1]), rssMiB: Number(match[2]) / 1024 });
    });
  });
}

const median = (values) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)];

let lab;
try {
  lab = await startSandbox({ topology: 'kubeception', dir: join(workDir, 'lab'), attached: true });
  const kubectl = (...args) =>
    run('kubectl', ['--kubeconfig', lab.adminKubeconfig, ...args], { cwd: workDir, maxBuffer: 1 << 20 });
  const inPod = (script) =>
    kubectl('exec', '-n', user, 'kube-etcd-0', '-c', 'kube-etcd', '--', '/bin/sh', '-ec', script);
  // 1 MiB values of random bytes (base64: 1.33 MiB each, under etcd's 1.5 MiB request limit), so the
  // database does not compress away; written from inside the pod to keep the filling fast.
  const values = Math.ceil(megabytes / 1.33);
  process.stdout.write(`filling the user etcd with ${values} values of 1.33 MiB...\n`);
  await inPod(
    `i=0; while [ $i -lt ${values} ]; do head -c 1048576 /dev/urandom | base64 -w0 | ${etcdctl} put /registry/bench/filler-$i >/dev/null; i=$((i+1)); done`,
  );

  const floor = () =>
    measure('kubectl', [
      '--kubeconfig',
      lab.adminKubeconfig,
      'exec',
      '-n',
      user,
      'kube-etcd-0',
      '-c',
      'kube-etcd',
      '--',
      '/bin/sh',
      '-ec',
      `${etcdctl} snapshot save /tmp/bench-floor.db >/dev/null && rm -f /tmp/bench-floor.db`,
    ]);
  const etcdDr = async (round) => {
    const result = await measure(process.execPath, [
      cli,
      'backup',
      '--config',
      lab.config,
      // The user cluster's snapshot alone, as the floor and the runbook's way take it.
      '--no-admin',
      '--out',
      join(workDir, `etcd-dr-${round}`),
    ]);
    await rm(join(workDir, `etcd-dr-${round}`), { recursive: true, force: true });
    return result;
  };
  const runbook = async () => {
    const started = performance.now();
    await inPod(`${etcdctl} snapshot save /tmp/snapshot.db >/dev/null`);
    await kubectl('cp', `${user}/kube-etcd-0:/tmp/snapshot.db`, 'snapshot.db', '-c', 'kube-etcd');
    await inPod('rm -f /tmp/snapshot.db');
    await rm(join(workDir, 'snapshot.db'), { force: true });
    return { seconds: (performance.now() - started) / 1000 };
  };

  const transferFile = '/tmp/bench-transfer.db';
  const transferEtcdDr = async (size) => {
    const out = join(workDir, 'transfer');
    const result = await measure(process.execPath, [
      transferOnly,
      lab.adminKubeconfig,
      user,
      'kube-etcd-0',
      'kube-etcd',
      transferFile,
      String(size),
      out,
    ]);
    await rm(out, { recursive: true, force: true });
    return result;
  };
  const transferKubectl = async () => {
    const result = await measure('kubectl', [
      '--kubeconfig',
      lab.adminKubeconfig,
      'cp',
      `${user}/kube-etcd-0:${transferFile}`,
      'transfer.db',
      '-c',
      'kube-etcd',
    ]);
    await rm(join(workDir, 'transfer.db'), { force: true });
    return result;
  };

  const startup = () => measure(process.execPath, [cli, '--version']);
  const loadBefore = loadavg()[0];
  const results = { floor: [], etcdDr: [], runbook: [], rss: [], startup: [], startupRss: [] };
  for (let round = 0; round < rounds; round++) {
    results.floor.push((await floor()).seconds);
    const backup = await etcdDr(round);
    results.etcdDr.push(backup.seconds);
    results.rss.push(backup.rssMiB);
    results.runbook.push((await runbook()).seconds);
    const idle = await startup();
    results.startup.push(idle.seconds);
    results.startupRss.push(idle.rssMiB);
  }
  const loadAfterBackups = loadavg()[0];

  const { stdout: sizeText } = await inPod(
    `${etcdctl} snapshot save ${transferFile} >/dev/null 2>&1 && stat -c %s ${transferFile}`,
  );
  const transfer = { etcdDr: [], kubectl: [], rss: [] };
  for (let round = 0; round < rounds; round++) {
    const ours = await transferEtcdDr(Number(sizeText.trim()));
    transfer.etcdDr.push(ours.seconds);
    transfer.rss.push(ours.rssMiB);
    transfer.kubectl.push((await transferKubectl()).seconds);
  }
  await inPod(`rm -f ${transferFile}`);
  const loadAfter = loadavg()[0];

  const rounded = (values) => values.map((value) => value.toFixed(2)).join(' ');
  const floorSeconds = median(results.floor);
  const etcdDrSeconds = median(results.etcdDr);
  const runbookSeconds = median(results.runbook);
  console.log(`backup of a ${megabytes} MiB user etcd (non-HA Kubeception lab), median of ${rounds}:`);
  console.log(`  floor: etcdctl snapshot save in the pod   ${floorSeconds.toFixed(2)} s`);
  console.log(`  etcd-dr backup                            ${etcdDrSeconds.toFixed(2)} s`);
  console.log(`  runbook: exec snapshot save + kubectl cp  ${runbookSeconds.toFixed(2)} s`);
  console.log(
    `  of which CLI start (etcd-dr --version)    ${median(results.startup).toFixed(2)} s, ${Math.max(...results.startupRss).toFixed(0)} MiB RSS`,
  );
  console.log(`  etcd-dr / floor    ${(etcdDrSeconds / floorSeconds).toFixed(2)}x (goal <= 1.40)`);
  console.log(`  runbook / etcd-dr  ${(runbookSeconds / etcdDrSeconds).toFixed(2)}x (goal >= 2.00)`);
  console.log(`  etcd-dr peak RSS   ${Math.max(...results.rss).toFixed(0)} MiB (goal < 200)`);
  console.log(
    `  each round (s): floor ${rounded(results.floor)} | etcd-dr ${rounded(results.etcdDr)} | runbook ${rounded(results.runbook)}`,
  );
  const transferSeconds = median(transfer.etcdDr);
  const kubectlSeconds = median(transfer.kubectl);
  console.log(
    `transfer alone of a ${(Number(sizeText.trim()) / 2 ** 20).toFixed(0)} MiB snapshot file, median of ${rounds}:`,
  );
  console.log(
    `  etcd-dr (exec stream, trailer check, bundle writer + fsync)  ${transferSeconds.toFixed(2)} s, ${Math.max(...transfer.rss).toFixed(0)} MiB RSS`,
  );
  console.log(`  kubectl cp                                                 ${kubectlSeconds.toFixed(2)} s`);
  console.log(`  kubectl cp / etcd-dr  ${(kubectlSeconds / transferSeconds).toFixed(2)}x`);
  console.log(
    `  each round (s): etcd-dr ${rounded(transfer.etcdDr)} | kubectl cp ${rounded(transfer.kubectl)}`,
  );
  console.log(
    `load average (1 min, ${availableParallelism()} cores): ${loadBefore.toFixed(1)} before, ${loadAfterBackups.toFixed(1)} after the backups, ${loadAfter.toFixed(1)} at the end`,
  );
} finally {
  await lab?.stop();
  await rm(workDir, { recursive: true, force: true });
}
