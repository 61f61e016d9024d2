// Measures the sandbox PKI of an HA lab (admin + user cluster: an etcd CA and a Kubernetes CA each, three
// etcd members, three API servers, admin and etcd client certificates), generated the way the lab does it
// (createPki: every CA, then every leaf, in parallel) next to one certificate at a time. Prints both and
// their ratio. Run after a build: node bench/sandbox-pki.mjs
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPki, issueCertificate } from '../packages/sandbox/dist/internals.js';

const clusters = ['admin', 'user1'];
const authorities = Object.fromEntries(
  clusters.flatMap((cluster) => [
    [`${cluster}-etcd-ca`, { commonName: 'etcd-ca' }],
    [`${cluster}-kube-ca`, { commonName: 'kubernetes' }],
  ]),
);
const leaves = clusters.flatMap((cluster) => [
  ...[0, 1, 2].map((index) => ({
    name: `${cluster}/kube-etcd-${index}`,
    authority: `${cluster}-etcd-ca`,
    commonName: `kube-etcd-${index}`,
    dnsNames: [`kube-etcd-${index}.kube-etcd`, 'localhost'],
    ipAddresses: ['127.0.0.1', `10.213.0.${index + 2}`],
    usage: 'peer',
  })),
  ...[0, 1, 2].map((index) => ({
    name: `${cluster}/kube-apiserver-${index}`,
    authority: `${cluster}-kube-ca`,
    commonName: 'kube-apiserver',
    dnsNames: ['kubernetes', 'kubernetes.default', 'localhost'],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  })),
  {
    name: `${cluster}/admin`,
    authority: `${cluster}-kube-ca`,
    commonName: 'kubernetes-admin',
    organizations: ['system:masters'],
    usage: 'client',
  },
  {
    name: `${cluster}/etcd-client`,
    authority: `${cluster}-etcd-ca`,
    commonName: 'kube-apiserver-etcd-client',
    usage: 'client',
  },
]);

async function timed(work) {
  const directory = await mkdtemp(join(tmpdir(), 'edr-bench-pki-'));
  const started = performance.now();
  try {
    await work(directory);
    return performance.now() - started;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

const parallel = async (directory) => createPki({ directory, authorities, leaves });
const serial = async (directory) => {
  const issued = {};
  for (const [name, authority] of Object.entries(authorities)) {
    issued[name] = await issueCertificate({ directory, name, commonName: authority.commonName, usage: 'ca' });
  }
  for (const leaf of leaves) {
    const [folder, name] = leaf.name.split('/');
    await issueCertificate({
      ...leaf,
      directory: join(directory, folder),
      name,
      authority: issued[leaf.authority],
    });
  }
};

const rounds = 3;
const results = { parallel: [], serial: [] };
for (let round = 0; round < rounds; round++) {
  results.serial.push(await timed(serial));
  results.parallel.push(await timed(parallel));
}
const median = (values) => values.sort((left, right) => left - right)[Math.floor(values.length / 2)];
const count = Object.keys(authorities).length + leaves.length;
console.log(`sandbox PKI of an HA lab (${count} certificates, EC P-256, openssl CLI), median of ${rounds}:`);
console.log(`  one at a time: ${median(results.serial).toFixed(0)} ms`);
console.log(`  createPki:     ${median(results.parallel).toFixed(0)} ms (target: under 2000 ms)`);
console.log(`  ratio:         ${(median(results.serial) / median(results.parallel)).toFixed(2)}x faster`);
