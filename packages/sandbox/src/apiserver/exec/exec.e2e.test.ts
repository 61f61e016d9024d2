import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ExecSession } from '../pod-runtime-contract.js';
import { startTestApiServer, type TestApiServer, waitFor } from '../test-support/start-test-api-server.js';

let lab: TestApiServer;
const sessions: ExecSession[] = [];

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
  - name: side
    image: gcr.io/gke-on-prem-release/pause:3.9
    command: ["sleep", "3600"]
`;

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

function openExec(options: { protocol: string; query: string; auth?: boolean }): WebSocket {
  const url = `${lab.server.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/shell/exec?${options.query}`;
  return new WebSocket(url, [options.protocol], {
    ca: lab.pki.ca,
    ...(options.auth === false ? {} : { headers: { authorization: `Bearer ${lab.token}` } }),
  });
}

function collect(socket: WebSocket): Promise<{ channels: Map<number, Buffer>; closeCode: number }> {
  const channels = new Map<number, Buffer>();
  socket.on('message', (data: Buffer) => {
    const channel = data[0]!;
    channels.set(channel, Buffer.concat([channels.get(channel) ?? Buffer.alloc(0), data.subarray(1)]));
  });
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', (closeCode) => resolve({ channels, closeCode }));
  });
}

beforeAll(async () => {
  lab = await startTestApiServer();
  const exec = lab.runtime.exec.bind(lab.runtime);
  lab.runtime.exec = (options) => {
    const session = exec(options);
    sessions.push(session);
    return session;
  };
  await lab.kubectlOk(['create', '-f', '-'], { stdin: podYaml });
  await waitFor(
    async () =>
      (await lab.kubectlOk(['get', 'pod', 'shell', '-o', 'jsonpath={.status.phase}'])) === 'Running',
    20_000,
    'pod running',
  );
});

afterAll(async () => {
  await lab?.close();
});

describe('exec over WebSocket with the real kubectl', () => {
  it('returns stdout, stderr and the exit code of the command', async () => {
    const result = await lab.kubectl([
      'exec',
      'shell',
      '-c',
      'main',
      '--',
      'sh',
      '-c',
      'echo out; echo err >&2; exit 3',
    ]);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe('out\n');
    expect(result.stderr).toBe('err\ncommand terminated with exit code 3\n');
    const ok = await lab.kubectl(['exec', 'shell', '-c', 'main', '--', 'true']);
    expect(ok).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('streams stdin with -i until it closes', async () => {
    const input = randomBytes(256 * 1024).toString('base64');
    const result = await lab.kubectl(['exec', '-i', 'shell', '-c', 'main', '--', 'sha256sum'], {
      stdin: input,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split(' ')[0]).toBe(sha256(Buffer.from(input)));
  });

  it('copies files both ways with kubectl cp (tar over exec)', async () => {
    const content = randomBytes(6 * 1024 * 1024);
    const source = path.join(lab.directory, 'to-pod.bin');
    const inPod = '/tmp/in-pod.bin';
    const back = path.join(lab.directory, 'from-pod.bin');
    await writeFile(source, content);
    const copyIn = await lab.kubectl(['cp', source, `default/shell:${inPod}`, '-c', 'main']);
    expect(copyIn.exitCode).toBe(0);
    const inside = await lab.kubectlOk(['exec', 'shell', '-c', 'main', '--', 'sha256sum', inPod]);
    expect(inside.split(' ')[0]).toBe(sha256(content));
    const copyOut = await lab.kubectl(['cp', `default/shell:${inPod}`, back, '-c', 'main']);
    expect(copyOut.exitCode).toBe(0);
    expect(sha256(await readFile(back))).toBe(sha256(content));
  });

  it('names the missing container and asks for one when the pod has several', async () => {
    const missing = await lab.kubectl(['exec', 'shell', '-c', 'nope', '--', 'true']);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain('container nope is not valid for pod shell');
    const socket = openExec({ protocol: 'v5.channel.k8s.io', query: 'command=true&stdout=true' });
    const status = await new Promise<number>((resolve) =>
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0)),
    );
    expect(status).toBe(400);
  });

  it.each(['v4.channel.k8s.io', 'v3.channel.k8s.io', 'channel.k8s.io'])(
    'speaks %s with the exit code in a Status on channel 3',
    async (protocol) => {
      const socket = openExec({
        protocol,
        query: 'container=main&command=sh&command=-c&command=printf+hi%3B+exit+7&stdout=true&stderr=true',
      });
      const { channels, closeCode } = await collect(socket);
      expect(channels.get(1)?.toString()).toBe('hi');
      expect(JSON.parse(channels.get(3)!.toString())).toEqual({
        metadata: {},
        status: 'Failure',
        message:
          'command terminated with non-zero exit code: error executing command [sh -c printf hi; exit 7], exit code 7',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '7' }] },
      });
      expect(closeCode).toBe(1000);
    },
  );

  it('closes stdin on the v5 close frame [255, 0]', async () => {
    const socket = openExec({
      protocol: 'v5.channel.k8s.io',
      query: 'container=main&command=cat&stdin=true&stdout=true&stderr=true',
    });
    const result = collect(socket);
    await new Promise((resolve) => socket.once('open', resolve));
    expect(socket.protocol).toBe('v5.channel.k8s.io');
    socket.send(Buffer.concat([Buffer.from([0]), Buffer.from('echoed')]));
    socket.send(Buffer.from([255, 0]));
    const { channels } = await result;
    expect(channels.get(1)?.toString()).toBe('echoed');
    expect(JSON.parse(channels.get(3)!.toString())).toEqual({ metadata: {}, status: 'Success' });
  });

  it('pauses the command while the client does not read (backpressure)', async () => {
    const total = 64 * 1024 * 1024;
    const socket = openExec({
      protocol: 'v5.channel.k8s.io',
      query: `container=main&command=head&command=-c&command=${total}&command=/dev/zero&stdout=true`,
    });
    let received = 0;
    let status = '';
    socket.on('message', (data: Buffer) => {
      if (data[0] === 1) received += data.length - 1;
      if (data[0] === 3) status = data.subarray(1).toString();
    });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.pause();
    const session = sessions.at(-1)!;
    let exited = false;
    void session.exit.then(() => {
      exited = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(exited).toBe(false);
    socket.resume();
    await new Promise((resolve) => socket.once('close', resolve));
    expect(exited).toBe(true);
    expect(received).toBe(total);
    expect(JSON.parse(status)).toEqual({ metadata: {}, status: 'Success' });
  });

  it('refuses an upgrade without credentials with 401', async () => {
    const socket = openExec({
      protocol: 'v5.channel.k8s.io',
      query: 'container=main&command=true',
      auth: false,
    });
    const status = await new Promise<number>((resolve) =>
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0)),
    );
    expect(status).toBe(401);
  });
});
