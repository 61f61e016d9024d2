import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { connectKube, type EtcdDrError, type KubeConnection } from '@etcd-dr/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestApiServer,
  type TestApiServer,
  waitFor,
} from '../packages/sandbox/src/apiserver/test-support/start-test-api-server.js';

// The SDK's own exec client (frames read straight off the TLS socket) against the lab API server's exec.
let lab: TestApiServer;
let kube: KubeConnection;
const where = { namespace: 'default', pod: 'shell', container: 'main' };

const podYaml = `apiVersion: v1
kind: Pod
metadata:
  name: shell
  namespace: default
spec:
  nodeSelector: {kubernetes.io/hostname: node1}
  containers:
  - name: main
    image: gcr.io/gke-on-prem-release/etcd-util:1.28.0
    command: ["sleep", "3600"]
`;

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  lab = await startTestApiServer();
  await lab.kubectlOk(['create', '-f', '-'], { stdin: podYaml });
  await waitFor(
    async () =>
      (await lab.kubectlOk(['get', 'pod', 'shell', '-o', 'jsonpath={.status.phase}'])) === 'Running',
    20_000,
    'pod running',
  );
  kube = await connectKube({ kubeconfigPath: lab.kubeconfig });
});

afterAll(async () => {
  await lab?.close();
});

describe('execInPod against the lab API server', () => {
  it('returns the exit code, stderr and captured stdout', async () => {
    const result = await kube.exec({
      ...where,
      command: ['sh', '-c', 'echo out; echo err >&2; exit 3'],
    });
    expect(result.exitCode).toBe(3);
    expect(result.stdout.toString()).toBe('out\n');
    expect(result.stderr).toBe('err\n');
    expect(result.stdoutBytes).toBe(4);
  });

  it('sends stdin (buffer and stream) and closes it so the command ends', async () => {
    const input = randomBytes(1024 * 1024 + 17);
    const fromBuffer = await kube.exec({ ...where, command: ['sha256sum'], stdin: input });
    expect(fromBuffer.stdout.toString().split(' ')[0]).toBe(sha256(input));
    const fromStream = await kube.exec({
      ...where,
      command: ['sha256sum'],
      stdin: Readable.from([input.subarray(0, 1000), input.subarray(1000)]),
    });
    expect(fromStream.stdout.toString().split(' ')[0]).toBe(sha256(input));
  });

  it('streams a large output intact into a slow sink without buffering it (backpressure)', async () => {
    const total = 48 * 1024 * 1024;
    const file = `/tmp/exec-big-${randomBytes(4).toString('hex')}`;
    const hash = createHash('sha256');
    let delivered = 0;
    let written = 0;
    let maxHeld = 0;
    let writes = 0;
    // A slow disk: every write of the sink takes a few milliseconds.
    const sink = new Writable({
      highWaterMark: 1024 * 1024,
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        written += chunk.length;
        writes++;
        setTimeout(done, writes % 8 === 0 ? 4 : 0);
      },
    });
    const originalWrite = sink.write.bind(sink);
    sink.write = ((chunk: Buffer, callback?: (error?: Error | null) => void) => {
      delivered += chunk.length;
      maxHeld = Math.max(maxHeld, delivered - written);
      return originalWrite(chunk, callback);
    }) as typeof sink.write;
    const result = await kube.exec({
      ...where,
      command: [
        'sh',
        '-ec',
        `head -c ${total} /dev/urandom >${file}; sha256sum ${file} >&2; cat ${file}; rm -f ${file}`,
      ],
      stdout: sink,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdoutBytes).toBe(total);
    expect(written).toBe(total);
    expect(hash.digest('hex')).toBe(result.stderr.split(' ')[0]);
    // Held by the sink at any time: its high-water mark and the rest of one socket read, not the stream.
    expect(maxHeld).toBeLessThan(2 * 1024 * 1024);
  });

  it('maps a missing pod to KUBE_NOT_FOUND', async () => {
    const error = (await kube
      .exec({ ...where, pod: 'no-such-pod', command: ['true'] })
      .catch((caught) => caught)) as EtcdDrError;
    expect(error.code).toBe('KUBE_NOT_FOUND');
    expect(error.message).toContain('no-such-pod');
  });

  it('fails with KUBE_TIMEOUT when the server accepts the connection but never answers the upgrade', async () => {
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)),
    );
    const directory = await mkdtemp(join(tmpdir(), 'etcd-dr-exec-silent-'));
    try {
      const kubeconfigPath = join(directory, 'kubeconfig');
      await writeFile(
        kubeconfigPath,
        `apiVersion: v1
kind: Config
clusters: [{name: silent, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: nobody, user: {token: t}}]
contexts: [{name: silent, context: {cluster: silent, user: nobody}}]
current-context: silent
`,
        { mode: 0o600 },
      );
      const silentKube = await connectKube({ kubeconfigPath });
      const error = (await silentKube
        .exec({ ...where, command: ['true'], idleTimeoutMs: 500 })
        .catch((caught) => caught)) as EtcdDrError;
      expect(error.code).toBe('KUBE_TIMEOUT');
      expect(error.message).toContain('did not answer the exec upgrade within 500 ms');
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('stops on abort and reports the abort reason', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop now')), 300);
    const error = await kube
      .exec({ ...where, command: ['sleep', '30'], signal: controller.signal })
      .catch((caught) => caught);
    expect((error as Error).message).toBe('stop now');
  });
});
