import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../run-command.js';
import { createPki } from './create-pki.js';
import { writeKubeconfig } from './kubeconfig.js';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'edr-pki-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('createPki (real openssl)', () => {
  it('issues CA-signed leaves with their SANs and 0600 keys that work for mutual TLS', async () => {
    const pki = await createPki({
      directory,
      authorities: { 'etcd-ca': { commonName: 'etcd-ca' }, 'kube-ca': { commonName: 'kubernetes' } },
      leaves: [
        {
          name: 'etcd/kube-etcd-0',
          authority: 'etcd-ca',
          commonName: 'kube-etcd-0',
          dnsNames: ['kube-etcd-0.kube-etcd', 'localhost'],
          ipAddresses: ['127.0.0.1'],
          usage: 'peer',
        },
        {
          name: 'admin',
          authority: 'kube-ca',
          commonName: 'kubernetes-admin',
          organizations: ['system:masters'],
          usage: 'client',
        },
        { name: 'etcd-client', authority: 'etcd-ca', commonName: 'etcd-client', usage: 'client' },
      ],
    });
    const server = pki.leaves['etcd/kube-etcd-0']!;
    expect(server.certificatePath).toBe(join(directory, 'etcd', 'kube-etcd-0.crt'));
    for (const files of [...Object.values(pki.authorities), ...Object.values(pki.leaves)]) {
      expect((await stat(files.keyPath)).mode & 0o777).toBe(0o600);
    }
    const certificate = new X509Certificate(await readFile(server.certificatePath));
    expect(certificate.subjectAltName).toBe('DNS:kube-etcd-0.kube-etcd, DNS:localhost, IP Address:127.0.0.1');
    const admin = new X509Certificate(await readFile(pki.leaves.admin!.certificatePath));
    expect(admin.subject).toBe('O=system:masters\nCN=kubernetes-admin');
    expect(
      admin.verify(
        new X509Certificate(await readFile(pki.authorities['kube-ca']!.certificatePath)).publicKey,
      ),
    ).toBe(true);
    expect(
      admin.verify(
        new X509Certificate(await readFile(pki.authorities['etcd-ca']!.certificatePath)).publicKey,
      ),
    ).toBe(false);

    const ca = await readFile(pki.authorities['etcd-ca']!.certificatePath);
    const tlsServer = createServer(
      {
        cert: await readFile(server.certificatePath),
        key: await readFile(server.keyPath),
        ca,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => socket.end(`hello ${socket.getPeerCertificate().subject.CN}`),
    );
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    try {
      const port = (tlsServer.address() as { port: number }).port;
      const client = pki.leaves['etcd-client']!;
      const answer = await new Promise<string>((resolve, reject) => {
        Promise.all([readFile(client.certificatePath), readFile(client.keyPath)]).then(([cert, key]) => {
          const socket = connect({
            host: '127.0.0.1',
            port,
            servername: 'kube-etcd-0.kube-etcd',
            ca,
            cert,
            key,
          });
          let text = '';
          socket.on('data', (chunk) => {
            text += chunk;
          });
          socket.on('end', () => resolve(text));
          socket.on('error', reject);
        }, reject);
      });
      expect(answer).toBe('hello etcd-client');
    } finally {
      tlsServer.close();
    }
  });

  it('refuses a leaf of an unknown authority before writing anything', async () => {
    await expect(
      createPki({
        directory: join(directory, 'none'),
        authorities: { ca: { commonName: 'ca' } },
        leaves: [{ name: 'x', authority: 'other', commonName: 'x', usage: 'server' }],
      }),
    ).rejects.toMatchObject({ code: 'SANDBOX_POD_INVALID' });
    await expect(stat(join(directory, 'none'))).rejects.toThrow(/ENOENT/);
  });

  it('writes a kubeconfig that kubectl reads back with the client certificate', async () => {
    const pki = await createPki({
      directory,
      authorities: { ca: { commonName: 'kubernetes' } },
      leaves: [
        {
          name: 'admin',
          authority: 'ca',
          commonName: 'kubernetes-admin',
          organizations: ['system:masters'],
          usage: 'client',
        },
      ],
    });
    const path = join(directory, 'admin.kubeconfig');
    await writeKubeconfig({
      path,
      clusterName: 'admin',
      server: 'https://127.0.0.1:6443',
      certificateAuthorityPath: pki.authorities.ca!.certificatePath,
      credentials: pki.leaves.admin!,
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const viewed = await runCommand({
      command: 'kubectl',
      args: [
        '--kubeconfig',
        path,
        'config',
        'view',
        '--raw',
        '-o',
        'jsonpath={.users[0].user.client-certificate-data}',
      ],
    });
    expect(Buffer.from(viewed.stdout, 'base64').toString()).toBe(
      await readFile(pki.leaves.admin!.certificatePath, 'utf8'),
    );
  });
});
