import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StepContext } from '../../apply/step-executor.js';
import { readBundle } from '../../bundle/read-bundle.js';
import { type SampleBundle, writeSampleBundle } from '../../bundle/sample-bundle.test-support.js';
import type { ClusterConfig } from '../../cluster/cluster-config.js';
import { EtcdDrError } from '../../errors/etcd-dr-error.js';
import type { PlanStep } from '../../plan/plan-step.js';
import { connectSsh } from '../../transport/ssh/connect-ssh.js';
import type { SshConnection, SshWriteFileOptions } from '../../transport/ssh/ssh-connection.js';
import { startTestSshd, type TestSshd } from '../../transport/ssh/testing/start-test-sshd.js';
import type { UploadSnapshotParams } from './node-step-params.js';
import { uploadSnapshotExecutor } from './upload-snapshot-executor.js';

// The check that lets the members restore with --skip-hash-check: a copy on the node that is not the bundle's
// snapshot is refused and removed. Real sshd, a login with passwordless sudo as on GDC nodes, real sha256sum.

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The real connection, except that writeFile flips one byte of what it sends (a damaged transfer). */
function damagingTransfers(connection: SshConnection): SshConnection {
  return new Proxy(connection, {
    get(target, property, receiver) {
      if (property !== 'writeFile') {
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (options: SshWriteFileOptions) => {
        let offset = 0;
        const flipAt = 1000;
        const flip = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            const copy = Buffer.from(chunk);
            if (flipAt >= offset && flipAt < offset + copy.length) copy[flipAt - offset]! ^= 0xff;
            offset += copy.length;
            callback(null, copy);
          },
        });
        const source = options.source instanceof Readable ? options.source : Readable.from([options.source]);
        return target.writeFile({ ...options, source: source.pipe(flip) });
      };
    },
  });
}

describe('uploadSnapshotExecutor over real ssh', () => {
  let sshd: TestSshd;
  let connection: SshConnection;
  let sample: SampleBundle;
  let dataHostPath: string;
  let stagingDirectory: string;
  let run = 0;

  beforeAll(async () => {
    sshd = await startTestSshd({
      users: [{ name: 'edrup', uid: 64011, sudoers: 'edrup ALL=(root) NOPASSWD: ALL' }],
    });
    connection = await connectSsh({
      node: {
        name: 'uc-cp1',
        address: sshd.address,
        port: sshd.port,
        user: 'edrup',
        identityFile: sshd.clientKeyPath,
      },
    });
  });
  afterAll(async () => {
    await connection?.close();
    await sshd?.stop();
  });
  beforeEach(async () => {
    run++;
    sample = await writeSampleBundle({ directory: join(sshd.dir, `bundles-${run}`) });
    const dataParent = join(sshd.dir, `node-${run}`, 'var', 'lib');
    dataHostPath = join(dataParent, 'etcd');
    stagingDirectory = join(dataParent, 'etcd-dr-restore');
    await mkdir(join(dataHostPath, 'member'), { recursive: true });
    await writeFile(join(dataHostPath, 'member', 'db'), 'the member data before the restore');
  });

  const upload = async (ssh: SshConnection) => {
    const step: PlanStep<string, UploadSnapshotParams> = {
      id: 'controlplane-v2:upload-snapshot:uc-cp1',
      kind: 'controlplane-v2.upload-snapshot',
      title: 'Upload the snapshot',
      description: 'test',
      commands: [],
      params: {
        node: 'uc-cp1',
        manifestsDirectory: '/etc/kubernetes/manifests',
        asideDirectory: '/etc/kubernetes/etcd-dr-restore',
        dataHostPath,
        stagingDirectory,
        bundleFile: 'snapshot.db',
        encryption: 'none',
        requiredBytes: 1024,
      },
    };
    const context: StepContext = {
      config: {} as ClusterConfig,
      bundle: await readBundle({ path: sample.path }),
      identities: [],
      adminKube: () => Promise.reject(new Error('not used')),
      userKube: () => Promise.reject(new Error('not used')),
      ssh: async () => ssh,
      workDirectory: sshd.dir,
      outputs: {},
      onProgress: () => undefined,
      signal: new AbortController().signal,
    };
    return uploadSnapshotExecutor.apply(step, context);
  };
  const refusal = async (ssh: SshConnection): Promise<EtcdDrError> => {
    const error = await upload(ssh).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    if (!EtcdDrError.isInstance(error)) throw new Error(`expected an etcd-dr error, got ${String(error)}`);
    return error;
  };
  const memberUntouched = async () => {
    expect(await readFile(join(dataHostPath, 'member', 'db'), 'utf8')).toBe(
      'the member data before the restore',
    );
  };

  it('uploads an intact snapshot as a root-only file and returns its SHA-256', async () => {
    const snapshot = sample.contents.get('snapshot.db')!;
    expect(await upload(connection)).toEqual({ sha256: sha256(snapshot), bytes: snapshot.length });
    const copy = join(stagingDirectory, 'snapshot.db');
    expect(sha256(await readFile(copy))).toBe(sha256(snapshot));
    const info = await stat(copy);
    expect(info.mode & 0o777).toBe(0o600);
    expect(info.uid).toBe(0);
  });

  it('refuses and removes a copy damaged on the way, leaving the member data alone', async () => {
    const error = await refusal(damagingTransfers(connection));
    expect(error.code).toBe('CPV2_RESTORE_COMMAND_FAILED');
    expect(error.message).toMatch(
      new RegExp(
        `^node uc-cp1: ${stagingDirectory}/snapshot\\.db has SHA-256 [0-9a-f]{12}…, [0-9a-f]{12}… was sent; the copy was removed$`,
      ),
    );
    expect(error.isRetryable).toBe(true);
    expect(await readdir(stagingDirectory)).toEqual([]);
    await memberUntouched();
  });

  it("refuses a bundle snapshot that no longer matches the manifest's digest, and removes the copy", async () => {
    const snapshotPath = join(sample.path, 'snapshot.db');
    const changed = Buffer.from(await readFile(snapshotPath));
    changed[500]! ^= 0xff;
    await writeFile(snapshotPath, changed);
    const error = await refusal(connection);
    expect(error.code).toBe('CPV2_RESTORE_COMMAND_FAILED');
    expect(error.message).toContain(
      `the bundle's snapshot.db read for the upload has SHA-256 ${sha256(changed).slice(0, 12)}…, its manifest says ${sha256(sample.contents.get('snapshot.db')!).slice(0, 12)}…; the copy was removed`,
    );
    expect(error.remedy).toContain(sample.path);
    expect(error.isRetryable).toBe(false);
    expect(await readdir(stagingDirectory)).toEqual([]);
    await memberUntouched();
  });
});
