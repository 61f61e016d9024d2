import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiStatusError, badRequest, internalError } from '../api-status-error.js';

/** Reads a request body (at most `limitBytes`, default 3 MiB like the real server) as text. */
export async function readBody(request: IncomingMessage, limitBytes = 3 * 1024 * 1024): Promise<string> {
  return (await readBodyBytes(request, limitBytes)).toString('utf8');
}

/** Reads a request body (at most `limitBytes`, default 3 MiB) as bytes. */
export async function readBodyBytes(request: IncomingMessage, limitBytes = 3 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) {
      throw new ApiStatusError({
        httpCode: 413,
        reason: 'RequestEntityTooLarge',
        message: 'Request entity too large: limit is 3145728',
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body, answering 400 like the real server when it is not JSON. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (${(error as Error).message})`,
    );
  }
}

/** Sends a JSON answer. */
export function sendJson(response: ServerResponse, httpCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(httpCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-cache, private',
  });
  response.end(text);
}

/** Sends any error as a Kubernetes `Status` (non-API errors become 500 InternalError). */
export function sendError(response: ServerResponse, error: unknown): void {
  const statusError =
    error instanceof ApiStatusError
      ? error
      : internalError((error as Error)?.message ?? String(error), error);
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, statusError.httpCode, statusError.toStatus());
}
