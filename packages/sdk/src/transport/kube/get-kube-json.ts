import { request as httpsRequest, type RequestOptions } from 'node:https';

/** Options of {@link getKubeJson}. */
export interface GetKubeJsonOptions {
  /** The API server URL, without a trailing slash. */
  server: string;
  /** An API path, e.g. `/api/v1/namespaces/kube-system/pods`. */
  path: string;
  /** Query parameters, e.g. `{ labelSelector: 'component=etcd' }`. Default: none. */
  query?: Record<string, string>;
  /** TLS material, agent and headers. */
  requestOptions: RequestOptions & Record<string, unknown>;
  /** Aborts the request (destroys its socket). */
  signal?: AbortSignal;
}

/** Largest answer accepted: a list of every Secret of a namespace stays far below it. */
const maxBodyBytes = 64 * 1024 * 1024;

/**
 * GETs one API object or list over https and parses its JSON. A non-2xx answer is thrown as
 * `{ code: status, body }`, the shape of client-node's ApiException, so that `toKubeError` maps both alike;
 * a socket failure is thrown as is.
 */
export function getKubeJson<T>(options: GetKubeJsonOptions): Promise<T> {
  const query =
    options.query && Object.keys(options.query).length > 0 ? `?${new URLSearchParams(options.query)}` : '';
  const { headers, ...rest } = options.requestOptions;
  return new Promise<T>((resolve, reject) => {
    const request = httpsRequest(`${options.server}${options.path}${query}`, {
      ...rest,
      method: 'GET',
      headers: { ...(headers as Record<string, string> | undefined), Accept: 'application/json' },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    request.once('error', reject);
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodyBytes) {
          request.destroy(new Error(`the answer to GET ${options.path} exceeds ${maxBodyBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.once('error', reject);
      response.once('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        if (status < 200 || status > 299) {
          reject({ code: status, body });
          return;
        }
        try {
          resolve(JSON.parse(body) as T);
        } catch {
          reject(new Error(`GET ${options.path} answered ${status} with a body that is not JSON`));
        }
      });
    });
    request.end();
  });
}
