import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from '../api-context.js';
import { ApiStatusError, badRequest } from '../api-status-error.js';
import { decodeKubernetesProtobuf } from '../protobuf/decode-kubernetes-protobuf.js';
import { apiVersionOf, type ResourceType } from '../resource-types.js';
import type { KubeObject } from '../storage/object-store.js';
import { renderTable } from '../tables.js';
import { parseJsonBody, readBody, readBodyBytes, sendJson } from './http-io.js';

/** One request to a served kind, already routed. */
export interface ResourceRequest {
  context: ApiContext;
  request: IncomingMessage;
  response: ServerResponse;
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
}

/** 405 `MethodNotAllowed` for a verb the path does not take. */
export function methodNotAllowed(method: string, what: string): ApiStatusError {
  return new ApiStatusError({
    httpCode: 405,
    reason: 'MethodNotAllowed',
    message: `the server does not allow this method on the requested resource (${method} ${what})`,
  });
}

/** True when the Accept header asks for a server-side Table (`as=Table`). */
export function wantsTable(request: IncomingMessage): boolean {
  return /as=Table/.test(request.headers.accept ?? '');
}

/** 406 when the client accepts no JSON form at all. */
export function checkAccept(request: IncomingMessage): void {
  const accept = request.headers.accept;
  if (!accept) return;
  if (!/application\/json|\*\/\*|application\/\*/.test(accept)) {
    throw new ApiStatusError({
      httpCode: 406,
      reason: 'NotAcceptable',
      message: `only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io`,
    });
  }
}

/** Reads a create/update body: JSON, or protobuf for the kinds kubectl's typed clients send (415 otherwise). */
export async function readObjectBody(target: ResourceRequest): Promise<KubeObject> {
  const contentType = (target.request.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
  if (contentType === 'application/vnd.kubernetes.protobuf') {
    return decodeKubernetesProtobuf(await readBodyBytes(target.request)) as KubeObject;
  }
  if (contentType !== 'application/json') {
    throw new ApiStatusError({
      httpCode: 415,
      reason: 'UnsupportedMediaType',
      message: `the body of the request was in an unknown format - accepted media types include: application/json (got "${contentType}")`,
    });
  }
  const body = parseJsonBody(await readBody(target.request));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('the request body must be a JSON object');
  }
  return body as KubeObject;
}

/** 400 when the body's kind or apiVersion differ from what the URL addresses. */
export function checkTypeMeta(
  target: ResourceRequest,
  object: KubeObject,
  expectedKind = target.type.kind,
  expectedApiVersion = apiVersionOf(target.type),
): void {
  if (object.kind && object.kind !== expectedKind) {
    throw badRequest(
      `the kind in the data (${object.kind}) does not match the expected kind (${expectedKind})`,
    );
  }
  if (object.apiVersion && object.apiVersion !== expectedApiVersion) {
    throw badRequest(
      `the API version in the data (${object.apiVersion}) does not match the expected API version (${expectedApiVersion})`,
    );
  }
}

/** 400 when the body names another namespace than the URL. */
export function checkNamespace(target: ResourceRequest, object: KubeObject): void {
  const bodyNamespace = object.metadata?.namespace;
  if (target.type.namespaced && bodyNamespace && bodyNamespace !== target.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

/** Sends one object, as a Table when the client asked for one. */
export function sendObject(target: ResourceRequest, httpCode: number, object: KubeObject): void {
  if (wantsTable(target.request) && object.kind === target.type.kind) {
    sendJson(
      target.response,
      httpCode,
      renderTable({
        type: target.type,
        objects: [object],
        resourceVersion: String(object.metadata?.resourceVersion ?? ''),
        includeObject: target.query.get('includeObject') ?? undefined,
      }),
    );
    return;
  }
  sendJson(target.response, httpCode, object);
}
