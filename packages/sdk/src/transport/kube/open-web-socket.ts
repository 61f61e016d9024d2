import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';

/** Options of {@link openWebSocket}. */
export interface OpenWebSocketOptions {
  /** `https://` or `http://` URL of the endpoint (the upgrade is a GET). */
  url: string;
  /** Subprotocols offered, preferred first. */
  protocols: string[];
  /** TLS material, agent and headers, e.g. as `KubeConfig.applyToHTTPSOptions` fills them. */
  requestOptions: RequestOptions & Record<string, unknown>;
  signal?: AbortSignal;
}

/** The outcome of an upgrade the server answered. */
export type OpenWebSocketResult =
  | {
      kind: 'open';
      /** The raw connection, frames from here on; `head` holds bytes that came with the 101 answer. */
      socket: Socket;
      head: Buffer;
      /** The subprotocol the server chose. */
      protocol: string;
    }
  | { kind: 'refused'; status: number; body: string };

const acceptGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * Performs the WebSocket opening handshake (RFC 6455 section 4) and hands back the raw socket, so that the
 * caller reads frames itself (see `WebSocketFrameReader`) without a library's per-message copies. Permessage
 * compression is never offered.
 * @throws Error when the connection fails, the signal aborts, or the server's 101 answer is not a valid
 * handshake (wrong accept key, a subprotocol that was not offered).
 */
export function openWebSocket(options: OpenWebSocketOptions): Promise<OpenWebSocketResult> {
  const key = randomBytes(16).toString('base64');
  const secure = options.url.startsWith('https:');
  const { headers, ...rest } = options.requestOptions;
  const request = (secure ? httpsRequest : httpRequest)(options.url, {
    ...rest,
    method: 'GET',
    headers: {
      ...(headers as Record<string, string> | undefined),
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': key,
      'Sec-WebSocket-Protocol': options.protocols.join(', '),
    },
  });
  return new Promise<OpenWebSocketResult>((resolve, reject) => {
    const onAbort = () => request.destroy(options.signal?.reason ?? new Error('aborted'));
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => options.signal?.removeEventListener('abort', onAbort);
    request.once('error', (error) => {
      done();
      reject(error);
    });
    request.once('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => {
        done();
        resolve({
          kind: 'refused',
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      response.once('error', (error) => {
        done();
        reject(error);
      });
    });
    request.once('upgrade', (response: IncomingMessage, socket: Socket, head: Buffer) => {
      done();
      const expected = createHash('sha1')
        .update(key + acceptGuid)
        .digest('base64');
      const protocol = String(response.headers['sec-websocket-protocol'] ?? '');
      const problem =
        response.headers['sec-websocket-accept'] !== expected
          ? 'the server answered the upgrade with a wrong Sec-WebSocket-Accept'
          : !options.protocols.includes(protocol)
            ? `the server chose subprotocol "${protocol}", which was not offered`
            : response.headers['sec-websocket-extensions']
              ? 'the server enabled an extension that was not offered'
              : undefined;
      if (problem) {
        socket.destroy();
        reject(new Error(problem));
        return;
      }
      socket.setNoDelay(true);
      resolve({ kind: 'open', socket, head, protocol });
    });
    request.end();
  });
}
