#!/usr/bin/env node
// Example program: back up the cluster an etcd-dr.yaml describes, then list every bundle in the folder.
//   back-up-and-list --config etcd-dr.yaml --out backups [--recipient age1...]... [--list-only]
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { backupCluster, EtcdDrError, loadClusterConfig } from '@etcd-dr/sdk';
import { listBundles } from './list-bundles.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'etcd-dr.yaml' },
    out: { type: 'string', default: 'backups' },
    recipient: { type: 'string', multiple: true, default: [] },
    'list-only': { type: 'boolean', default: false },
  },
});

try {
  await mkdir(values.out, { recursive: true, mode: 0o700 });
  if (!values['list-only']) {
    const config = await loadClusterConfig({ path: values.config });
    const backup = await backupCluster({
      config,
      outputDirectory: values.out,
      recipients: values.recipient,
      onProgress: (event) => {
        if (event.kind === 'step' && event.status === 'done') process.stderr.write(`${event.step} done\n`);
      },
    });
    process.stderr.write(`backed up ${backup.manifest.cluster.name} into ${backup.path}\n`);
  }
  for (const bundle of await listBundles({ directory: values.out })) {
    const lock = bundle.encrypted ? 'age' : 'PLAIN';
    console.log(
      `${bundle.createdAt}  ${bundle.cluster}  rev ${bundle.revision}  ${bundle.totalKeys} keys  ${lock}  ${bundle.path}`,
    );
  }
} catch (error) {
  console.error(EtcdDrError.isInstance(error) ? `error ${error.toLine()}` : error);
  process.exitCode = 1;
}
