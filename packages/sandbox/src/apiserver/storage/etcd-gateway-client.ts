import http from 'node:http';
import https from 'node:https';
import { etcdTimeout, internalError } from '../api-status-error.js';

/** One key-value pair as the store returns it (key and value decoded). */
export interface EtcdKeyValue {
  key: string;
  value: string;
  modRevision: number;
  createRevision: number;
}

/** TLS material for the etcd client connection (PEM text). */
export interface EtcdTlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
}

/** Options of {@link createEtcdGatewayClient}. */
export interface EtcdGatewayClientOptions {
  /** etcd client URLs (`https://127.0.0.1:2379`); tried in order, the last one that answered first. */
  endpoints: string[];
  /** Client TLS; omit for plain HTTP endpoints. */
  tls?: EtcdTlsOptions;
  /** Per-request timeout in milliseconds across all endpoints. Default 7000 (the real apiserver's etcd request timeout). */
  timeoutMs?: number;
}

/** A compare-and-swap put: succeeds only when the key's mod revision equals `expectedModRevision` (0: key absent). */
export interface CompareAndPutOptions {
  key: string;
  value: string;
  expectedModRevision: number;
}

/** A minimal etcd v3 client speaking the JSON gRPC gateway (`/v3/kv/*`). */
export interface EtcdGatewayClient {
  get(key: string): Promise<{ revision: number; item: EtcdKeyValue | undefined }>;
  list(prefix: string): Promise<{ revision: number; items: EtcdKeyValue[] }>;
  /** Returns the new mod revision, or `{ conflict: current }` when the compare failed. */
  compareAndPut(
    options: CompareAndPutOptions,
  ): Promise<{ ok: true; revision: number } | { ok: false; current: EtcdKeyValue | undefined }>;
  /** Deletes when the mod revision matches (0: unconditional). */
  compareAndDelete(options: {
    key: string;
    expectedModRevision: number;
  }): Promise<{ ok: true; revision: number } | { ok: false; current: EtcdKeyValue | undefined }>;
  close(): void;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string | undefined): string => Buffer.from(text ?? '', 'base64').toString('utf8');

interface RawKv {
  key: string;
  value?: string;
  mod_revision?: string;
  create_revision?: string;
}

function decodeKv(raw: RawKv): EtcdKeyValue {
  return {
    key: unb64(raw.key),
    value: unb64(raw.value),
    modRevision: Number(raw.mod_revision ?? 0),
    createRevision: Number(raw.create_revision ?? 0),
  };
}

function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let index = bytes.length - 1; index >= 0; index--) {
    if (bytes[index]! < 0xff) {
      bytes[index] = bytes[index]! + 1;
      return bytes.subarray(0, index + 1).toString('base64');
    }
  }
  return Buffer.from([0]).toString('base64');
}

class EndpointUnavailable extends Error {}

/** Creates a client for etcd's JSON gateway with failover across `endpoints`. */
export function createEtcdGatewayClient(options: EtcdGatewayClientOptions): EtcdGatewayClient {
  const timeoutMs = options.timeoutMs ?? 7000;
  const agents = new Map<string, http.Agent>();
  let preferred = 0;

  function agentFor(endpoint: URL): http.Agent {
    let agent = agents.get(endpoint.origin);
    if (!agent) {
      agent =
        endpoint.protocol === 'https:'
          ? new https.Agent({ keepAlive: true, ...options.tls })
          : new http.Agent({ keepAlive: true });
      agents.set(endpoint.origin, agent);
    }
    return agent;
  }

  function postOnce(endpoint: URL, path: string, body: unknown, deadline: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const requester = endpoint.protocol === 'https:' ? https.request : http.request;
      const request = requester(
        new URL(path, endpoint),
        {
          method: 'POST',
          agent: agentFor(endpoint),
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
          timeout: Math.max(1, deadline - Date.now()),
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) => reject(new EndpointUnavailable(error.message)));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: { error?: string; message?: string; code?: number } & Record<string, unknown>;
            try {
              parsed = JSON.parse(text);
            } catch {
              reject(
                new EndpointUnavailable(`non-JSON answer from ${endpoint.origin}: ${text.slice(0, 200)}`),
              );
              return;
            }
            if ((response.statusCode ?? 500) >= 400 || parsed.error) {
              const message = String(parsed.error ?? parsed.message ?? `HTTP ${response.statusCode}`);
              if (/timed out|leader|unavailable|deadline/i.test(message)) {
                reject(new EndpointUnavailable(message));
              } else {
                reject(internalError(message));
              }
              return;
            }
            resolve(parsed);
          });
        },
      );
      request.on('timeout', () => request.destroy(new EndpointUnavailable('etcdserver: request timed out')));
      request.on('error', (error) =>
        reject(error instanceof EndpointUnavailable ? error : new EndpointUnavailable(error.message)),
      );
      request.end(payload);
    });
  }

  async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    // Cycle through the endpoints until the deadline, as the real client's balancer does.
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const index = (preferred + attempt) % options.endpoints.length;
      const endpoint = new URL(options.endpoints[index]!);
      try {
        const result = (await postOnce(endpoint, path, body, deadline)) as Record<string, unknown>;
        preferred = index;
        return result;
      } catch (error) {
        if (!(error instanceof EndpointUnavailable)) throw error;
        lastError = error;
        if (attempt % options.endpoints.length === options.endpoints.length - 1) {
          await new Promise((resolve) =>
            setTimeout(resolve, Math.min(200, Math.max(0, deadline - Date.now()))),
          );
        }
      }
    }
    throw etcdTimeout(lastError);
  }

  const revisionOf = (response: Record<string, unknown>): number =>
    Number((response.header as { revision?: string } | undefined)?.revision ?? 0);

  function currentFrom(response: Record<string, unknown>): EtcdKeyValue | undefined {
    const responses = (response.responses ?? []) as Array<{ response_range?: { kvs?: RawKv[] } }>;
    const kv = responses[0]?.response_range?.kvs?.[0];
    return kv ? decodeKv(kv) : undefined;
  }

  function compare(key: string, expectedModRevision: number): unknown {
    return expectedModRevision === 0
      ? { target: 'VERSION', key: b64(key), version: '0', result: 'EQUAL' }
      : { target: 'MOD', key: b64(key), mod_revision: String(expectedModRevision), result: 'EQUAL' };
  }

  return {
    async get(key) {
      const response = await post('/v3/kv/range', { key: b64(key) });
      const kvs = (response.kvs ?? []) as RawKv[];
      return { revision: revisionOf(response), item: kvs[0] ? decodeKv(kvs[0]) : undefined };
    },
    async list(prefix) {
      const response = await post('/v3/kv/range', { key: b64(prefix), range_end: prefixEnd(prefix) });
      const kvs = (response.kvs ?? []) as RawKv[];
      return { revision: revisionOf(response), items: kvs.map(decodeKv) };
    },
    async compareAndPut({ key, value, expectedModRevision }) {
      const response = await post('/v3/kv/txn', {
        compare: [compare(key, expectedModRevision)],
        success: [{ request_put: { key: b64(key), value: b64(value) } }],
        failure: [{ request_range: { key: b64(key) } }],
      });
      if (response.succeeded === true) return { ok: true, revision: revisionOf(response) };
      return { ok: false, current: currentFrom(response) };
    },
    async compareAndDelete({ key, expectedModRevision }) {
      const response = await post('/v3/kv/txn', {
        compare:
          expectedModRevision === 0
            ? []
            : [{ target: 'MOD', key: b64(key), mod_revision: String(expectedModRevision), result: 'EQUAL' }],
        success: [{ request_delete_range: { key: b64(key) } }],
        failure: [{ request_range: { key: b64(key) } }],
      });
      if (response.succeeded === true) return { ok: true, revision: revisionOf(response) };
      return { ok: false, current: currentFrom(response) };
    },
    close() {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}
