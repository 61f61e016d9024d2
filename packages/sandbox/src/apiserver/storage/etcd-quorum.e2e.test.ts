import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, createApiServer } from '../create-api-server.js';
import { findResourceType } from '../resource-types.js';
import { apiRequest } from '../test-support/api-request.js';
import { generateTestPki, type TestPki } from '../test-support/generate-test-pki.js';
import { startTestEtcdCluster, type TestEtcdCluster } from '../test-support/start-test-etcd-cluster.js';

let directory: string;
let pki: TestPki;
let cluster: TestEtcdCluster;
let server: ApiServer;
const token = 'quorum-test-token';

const get = (path: string) => apiRequest({ url: server.url, ca: pki.ca, token, path });

beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'edr-apiserver-quorum-'));
  pki = await generateTestPki({ directory });
  cluster = await startTestEtcdCluster({ directory });
  server = await createApiServer({
    etcd: { endpoints: cluster.clientUrls, timeoutMs: 3000 },
    tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.ca },
    tokens: [token],
    controllers: false,
  });
  const namespaces = findResourceType({ group: '', version: 'v1', resource: 'namespaces' })!;
  await server.store.create({ type: namespaces, object: { metadata: { name: 'default' } } });
});

afterAll(async () => {
  await server?.close();
  await cluster?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe('an API server on a three-member etcd', () => {
  it('keeps serving when one member is down (failover to the others)', async () => {
    await cluster.stopMember(0);
    const answer = await get('/api/v1/namespaces/default');
    expect(answer.status).toBe(200);
    expect(answer.body.metadata.name).toBe('default');
  });

  it('fails with 504 "etcdserver: request timed out" once quorum is lost', async () => {
    await cluster.stopMember(1);
    const started = Date.now();
    const answer = await get('/api/v1/namespaces/default');
    expect(answer.status).toBe(504);
    expect(answer.body).toMatchObject({
      kind: 'Status',
      reason: 'Timeout',
      message: 'etcdserver: request timed out',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
  });
});
