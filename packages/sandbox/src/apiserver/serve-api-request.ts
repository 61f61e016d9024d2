import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from './api-context.js';
import { ApiStatusError } from './api-status-error.js';
import { apiGroup, apiGroupList, apiResourceList, coreApiVersions, versionInfo } from './discovery.js';
import { openApiV3Document, openApiV3Root } from './openapi.js';
import { handleResourceRequest } from './rest/handle-resource-request.js';
import { sendError, sendJson } from './rest/http-io.js';
import { parseApiPath } from './rest/parse-api-path.js';

function notFoundPath(): ApiStatusError {
  return new ApiStatusError({
    httpCode: 404,
    reason: 'NotFound',
    message: 'the server could not find the requested resource',
    details: {},
  });
}

/** Routes one authenticated request: health, version, discovery, OpenAPI, then the served kinds. */
export async function serveApiRequest(options: {
  context: ApiContext;
  request: IncomingMessage;
  response: ServerResponse;
  serverAddress: string;
}): Promise<void> {
  const { context, request, response } = options;
  try {
    const url = new URL(request.url ?? '/', 'https://localhost');
    const pathname = url.pathname.replace(/\/+$/, '') || '/';
    if (pathname === '/healthz' || pathname === '/livez' || pathname === '/readyz') {
      const healthy = await context.store.isHealthy();
      const check = pathname.slice(1);
      const verbose = url.searchParams.has('verbose');
      const body = healthy
        ? verbose
          ? `[+]ping ok\n[+]etcd ok\n${check} check passed\n`
          : 'ok'
        : `[+]ping ok\n[-]etcd failed: reason withheld\n${check} check failed\n`;
      response.writeHead(healthy ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(body);
      return;
    }
    if (pathname === '/version') return sendJson(response, 200, versionInfo());
    if (pathname === '/openapi/v2') {
      response.writeHead(200, {
        'content-type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
        'content-length': 0,
      });
      response.end();
      return;
    }
    if (pathname === '/openapi/v3') return sendJson(response, 200, openApiV3Root());
    if (pathname.startsWith('/openapi/v3/')) {
      const document = openApiV3Document(pathname.slice('/openapi/v3/'.length));
      if (!document) throw notFoundPath();
      return sendJson(response, 200, document);
    }
    if (pathname === '/apis') return sendJson(response, 200, apiGroupList());
    const path = parseApiPath(pathname);
    switch (path.kind) {
      case 'discovery': {
        const body =
          path.version === undefined
            ? path.group === ''
              ? coreApiVersions({ serverAddress: options.serverAddress })
              : apiGroup(path.group)
            : apiResourceList({ group: path.group, version: path.version });
        if (!body) throw notFoundPath();
        return sendJson(response, 200, body);
      }
      case 'resource':
        await handleResourceRequest({
          context,
          request,
          response,
          type: path.type,
          namespace: path.namespace,
          name: path.name,
          subresource: path.subresource,
          query: url.searchParams,
        });
        return;
      default:
        throw notFoundPath();
    }
  } catch (error) {
    sendError(response, error);
  }
}
