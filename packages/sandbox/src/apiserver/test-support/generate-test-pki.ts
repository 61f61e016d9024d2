import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM material for one test: a CA, a server certificate for 127.0.0.1/localhost, a client certificate. */
export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Paths of the same files, for etcd flags and kubeconfigs. */
  files: { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string };
}

/** Generates a throwaway CA and certificates with the `openssl` CLI into `directory` (tests only). */
export async function generateTestPki(options: { directory: string }): Promise<TestPki> {
  const file = (name: string): string => path.join(options.directory, name);
  const openssl = (args: string[]) => run('openssl', args, { cwd: options.directory });
  await openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=etcd-dr-test-ca',
  ]);
  const issue = async (name: string, subject: string, extensionFile: string): Promise<void> => {
    await openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      subject,
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.crt`),
      '-days',
      '2',
      '-extfile',
      file(extensionFile),
    ]);
  };
  await writeFile(
    file('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  await writeFile(file('client.ext'), 'extendedKeyUsage=clientAuth\n');
  await issue('server', '/CN=localhost', 'server.ext');
  await issue('client', '/O=system:masters/CN=kubernetes-admin', 'client.ext');
  const files = {
    ca: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
  };
  return {
    ca: await readFile(files.ca, 'utf8'),
    serverCert: await readFile(files.serverCert, 'utf8'),
    serverKey: await readFile(files.serverKey, 'utf8'),
    clientCert: await readFile(files.clientCert, 'utf8'),
    clientKey: await readFile(files.clientKey, 'utf8'),
    files,
  };
}
