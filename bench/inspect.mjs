// Benchmark: `etcd-dr inspect` against `etcdctl snapshot status` on the same >= 500 MB snapshot, side by
// side in one run. Builds the snapshot with a real etcd (data in a temp dir, removed at the end), then
// runs each tool alternately and reports the median wall time and the peak RSS (from GNU time).
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gateway, startEtcd } from './lib/etcd.mjs';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages/cli/dist/etcd-dr.js');
const targetBytes = 520 * 1024 * 1024;
const rounds = 5;
const b64 = (text) => Buffer.from(text).toString('base64');

async function writeBatch(endpoint, puts, deletes = []) {
  const success = [
    ...puts.map(([key, value]) => ({ requestPut: { key: b64(key), value: value.toString('base64') } })),
    ...deletes.map((key) => ({ requestDeleteRange: { key: b64(key) } })),
  ];
  await gateway(endpoint, 'kv/txn', { success });
}

export async function buildSnapshot(dir) {
  const etcd = await startEtcd({
    dir,
    extraArgs: [
      '--quota-backend-bytes',
      String(8 * 1024 ** 3),
      '--max-request-bytes',
      String(16 * 1024 ** 2),
    ],
  });
  try {
    const started = Date.now();
    const smallValue = Buffer.alloc(600, 'k');
    const largeValue = Buffer.alloc(96 * 1024, 'v');
    const resources = ['pods', 'configmaps', 'events', 'leases', 'example.com/widgets'];
    let dbSize = 0;
    let round = 0;
    while (dbSize < targetBytes) {
      // Per round: 2,000 small objects over 5 resources and 40 namespaces, 60 large secrets, then
      // overwrites and deletes so the snapshot also holds older revisions and tombstones.
      const writers = [];
      for (let batch = 0; batch < 20; batch++) {
        const puts = Array.from({ length: 100 }, (_, index) => {
          const id = round * 2000 + batch * 100 + index;
          const resource = resources[id % resources.length];
          return [`/registry/${resource}/ns-${id % 40}/obj-${id}`, smallValue];
        });
        writers.push(writeBatch(etcd.endpoint, puts));
      }
      for (let batch = 0; batch < 6; batch++) {
        const puts = Array.from({ length: 10 }, (_, index) => {
          const id = round * 60 + batch * 10 + index;
          return [`/registry/secrets/ns-${id % 40}/big-${id}`, largeValue];
        });
        writers.push(writeBatch(etcd.endpoint, puts));
      }
      await Promise.all(writers);
      const overwrite = Array.from({ length: 50 }, (_, index) => [
        `/registry/pods/ns-${index % 40}/obj-${round * 2000 + index * 5}`,
        smallValue,
      ]);
      const deletes = Array.from(
        { length: 20 },
        (_, index) => `/registry/configmaps/ns-${(index * 5 + 1) % 40}/obj-${round * 2000 + index * 5 + 1}`,
      );
      await writeBatch(etcd.endpoint, overwrite, deletes);
      round++;
      if (round % 10 === 0) {
        dbSize = Number((await gateway(etcd.endpoint, 'maintenance/status', {})).dbSize);
        process.stdout.write(
          `\rbench: building: ${(dbSize / 1024 ** 2).toFixed(0)} MiB of ${(targetBytes / 1024 ** 2).toFixed(0)}`,
        );
      }
    }
    const snapshot = join(dir, 'snapshot.db');
    await run('etcdctl', ['--endpoints', etcd.endpoint, 'snapshot', 'save', snapshot], {
      env: { ...process.env, ETCDCTL_API: '3' },
    });
    process.stdout.write(
      `\rbench: built the snapshot in ${((Date.now() - started) / 1000).toFixed(0)} s${' '.repeat(20)}\n`,
    );
    return snapshot;
  } finally {
    await etcd.stop();
  }
}

/** Runs a command under GNU time; resolves with wall seconds, peak RSS in MiB and stdout. */
function measure(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '@@time %e %M %U %S', command, ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const match = stderr.match(/@@time ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/);
      if (code !== 0 || !match)
        return reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${stderr}`));
      resolve({
        seconds: Number(match[1]),
        rssMiB: Number(match[2]) / 1024,
        cpuSeconds: Number(match[3]) + Number(match[4]),
        stdout,
      });
    });
  });
}

const median = (values) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)];

export async function benchInspect() {
  const dir = await mkdtemp(join(tmpdir(), 'etcd-dr-bench-inspect-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  process.once('SIGINT', () => cleanup().finally(() => process.exit(130)));
  try {
    const snapshot = await buildSnapshot(dir);
    const size = (await stat(snapshot)).size;
    const tools = {
      'etcd-dr inspect': ['node', [cli, 'inspect', '--json', snapshot]],
      'etcdctl snapshot status': ['etcdctl', ['snapshot', 'status', '-w', 'json', snapshot]],
    };
    const results = Object.fromEntries(Object.keys(tools).map((name) => [name, []]));
    for (const [command, args] of Object.values(tools)) await measure(command, args); // warm the page cache
    for (let round = 0; round < rounds; round++) {
      for (const [name, [command, args]] of Object.entries(tools))
        results[name].push(await measure(command, args));
    }
    const ours = JSON.parse(results['etcd-dr inspect'][0].stdout);
    const theirs = JSON.parse(results['etcdctl snapshot status'][0].stdout);
    const agree = ['revision', 'totalKey', 'hash'].every((field) => ours.status[field] === theirs[field]);
    const load = loadavg()[0].toFixed(1);
    console.log(
      `bench inspect: load average ${load} on ${availableParallelism()} cores (wall times suffer when it is high)`,
    );
    console.log(
      `bench inspect: snapshot ${(size / 1024 ** 2).toFixed(0)} MiB, revision ${theirs.revision}, ` +
        `${theirs.totalKey} keys, ${ours.liveKeys} live; results agree with etcdctl: ${agree ? 'yes' : 'NO'}`,
    );
    const rows = Object.entries(results).map(([name, runs]) => ({
      name,
      seconds: median(runs.map((result) => result.seconds)),
      cpuSeconds: median(runs.map((result) => result.cpuSeconds)),
      rssMiB: Math.max(...runs.map((result) => result.rssMiB)),
    }));
    for (const row of rows) {
      console.log(
        `  ${row.name.padEnd(24)} median wall ${row.seconds.toFixed(2)} s of ${rounds}, ` +
          `CPU ${row.cpuSeconds.toFixed(2)} s (all threads)   peak RSS ${row.rssMiB.toFixed(0)} MiB`,
      );
    }
    const [inspect, status] = rows;
    console.log(
      `  wall-time ratio inspect/etcdctl: ${(inspect.seconds / status.seconds).toFixed(2)} (goal <= 1.00)   ` +
        `RSS ratio: ${(inspect.rssMiB / status.rssMiB).toFixed(2)}`,
    );
    if (!agree) throw new Error('etcd-dr inspect and etcdctl snapshot status disagree');
    return { inspect, status, agree, sizeBytes: size };
  } finally {
    await cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchInspect();
