import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EtcdDrError } from '../errors/etcd-dr-error.js';
import {
  localExecConnection,
  startEtcdGate,
  useSnapshotScriptEtcd,
} from '../test-support/snapshot-script-fixtures.js';
import { SnapshotStreamHash } from './snapshot-stream-hash.js';
import { streamEtcdPodSnapshot } from './stream-etcd-pod-snapshot.js';

describe('streamEtcdPodSnapshot, with the pod scripts run on this machine against a real etcd', () => {
  const setup = useSnapshotScriptEtcd({
    prefix: 'etcd-dr-stream-snapshot-',
    temporaryFileName: 'etcd-dr-0123.db',
  });
  const { planIn, closeAfterTest } = setup;

  const collect = async (stream: AsyncIterable<Buffer>) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return Buffer.concat(chunks);
  };

  it('yields the whole snapshot and reports its size, revision and key count', async () => {
    const { plan } = await planIn();
    const { kube, commands } = localExecConnection();
    let facts: { size: number; revision: number; totalKeys: number } | undefined;
    const received = await collect(
      streamEtcdPodSnapshot({ kube, plan, onComplete: (done) => (facts = done) }),
    );
    expect(received.equals(await readFile(plan.temporaryFile))).toBe(true);
    expect(facts?.size).toBe(received.length);
    expect(facts?.totalKeys).toBeGreaterThanOrEqual(40);
    expect(commands).toEqual([plan.streamSnapshot.command]);
  });

  it('resumes a stream dropped while etcdctl still writes, and ends with the right bytes', async () => {
    const gate = await startEtcdGate({ target: setup.etcd.endpoint, passBytes: 2 * 1024 * 1024 });
    closeAfterTest(gate.close);
    const { plan } = await planIn({ endpoint: gate.endpoint });
    const { kube, commands } = localExecConnection({ cutAfterBytes: 512 * 1024, cuts: 1 });
    const resumes: Array<{ offset: number; attempt: number; reason: string }> = [];
    let facts: { size: number } | undefined;
    const releaseLater = setTimeout(() => gate.release(), 300);
    const received = await collect(
      streamEtcdPodSnapshot({
        kube,
        plan,
        onResume: (event) => resumes.push(event),
        onComplete: (done) => (facts = done),
      }),
    ).finally(() => clearTimeout(releaseLater));
    expect(resumes).toEqual([{ offset: 512 * 1024, attempt: 1, reason: 'connection lost' }]);
    expect(commands[1]).toEqual(plan.resumeSnapshot(512 * 1024).command);
    expect(received.equals(await readFile(plan.temporaryFile))).toBe(true);
    expect(facts?.size).toBe(received.length);
    const hasher = new SnapshotStreamHash();
    hasher.update(received);
    expect(hasher.result().trailerMatches).toBe(true);
  });

  it("fails with BACKUP_SNAPSHOT_FAILED and etcdctl's message, leaving no file", async () => {
    const { plan, directory } = await planIn({ key: join(setup.base, 'missing.key') });
    const { kube } = localExecConnection();
    const error = await collect(streamEtcdPodSnapshot({ kube, plan, onComplete: () => undefined })).catch(
      (caught: unknown) => caught,
    );
    expect(EtcdDrError.isInstance(error)).toBe(true);
    expect((error as EtcdDrError).code).toBe('BACKUP_SNAPSHOT_FAILED');
    expect((error as EtcdDrError).message).toMatch(
      /^`etcdctl snapshot save` in pod ns\/etcd-0 exited with \d+: .*missing\.key: no such file or directory/,
    );
    expect(await readdir(directory)).toEqual([]);
  });

  it('gives up with BACKUP_TRANSFER_FAILED after the allowed resumes', async () => {
    const { plan } = await planIn();
    const { kube, commands } = localExecConnection({ cutAfterBytes: 64 * 1024, cuts: 100 });
    const error = await collect(
      streamEtcdPodSnapshot({ kube, plan, maxResumes: 1, onComplete: () => undefined }),
    ).catch((caught: unknown) => caught);
    expect((error as EtcdDrError).code).toBe('BACKUP_TRANSFER_FAILED');
    expect((error as EtcdDrError).message).toMatch(
      /connection lost again after 1 resumes \(131072 bytes received\)/,
    );
    expect(commands).toHaveLength(2);
    const cleanup = await localExecConnection().kube.exec({ ...plan, command: plan.cleanup.command });
    expect(cleanup.exitCode).toBe(0);
    expect(await readdir(join(plan.temporaryFile, '..'))).toEqual([]);
  });
});
