import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from '../api-context.js';
import { ApiStatusError, badRequest, conflict, invalid } from '../api-status-error.js';
import type { LooseObject } from '../loose-object.js';
import { applyCreateDefaults } from '../object-defaults.js';
import { decodeKubernetesProtobuf } from '../protobuf/decode-kubernetes-protobuf.js';
import { apiVersionOf, type ResourceType } from '../resource-types.js';
import type { KubeObject } from '../storage/object-store.js';
import { renderTable } from '../tables.js';
import { validateObject, validatePodUpdate } from '../validate-object.js';
import { deleteObject } from './delete-object.js';
import { parseJsonBody, readBody, readBodyBytes, sendJson } from './http-io.js';
import { matchesObjectFilter, objectFilterFromQuery } from './object-filter.js';
import { patchObject } from './patch-object.js';
import { streamPodLogs } from './pod-logs.js';
import { applyScale, scaleOf } from './scale-subresource.js';
import { watchObjects } from './watch-objects.js';

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

function methodNotAllowed(method: string, what: string): ApiStatusError {
  return new ApiStatusError({
    httpCode: 405,
    reason: 'MethodNotAllowed',
    message: `the server does not allow this method on the requested resource (${method} ${what})`,
  });
}

function wantsTable(request: IncomingMessage): boolean {
  return /as=Table/.test(request.headers.accept ?? '');
}

function checkAccept(request: IncomingMessage): void {
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

async function readObjectBody(target: ResourceRequest): Promise<KubeObject> {
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

function checkTypeMeta(
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

function checkNamespace(target: ResourceRequest, object: KubeObject): void {
  const bodyNamespace = object.metadata?.namespace;
  if (target.type.namespaced && bodyNamespace && bodyNamespace !== target.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

async function list(target: ResourceRequest): Promise<void> {
  const { context, type, namespace, query } = target;
  const filter = objectFilterFromQuery({ type, query });
  if (query.get('watch') === 'true' || query.get('watch') === '1') {
    await watchObjects({
      context,
      request: target.request,
      response: target.response,
      type,
      namespace,
      filter,
      query,
      asTable: wantsTable(target.request),
    });
    return;
  }
  const { items, revision } = await context.store.list({ type, namespace });
  const selected = items.filter((object) => matchesObjectFilter({ filter, object }));
  if (wantsTable(target.request)) {
    sendJson(
      target.response,
      200,
      renderTable({
        type,
        objects: selected,
        resourceVersion: String(revision),
        includeObject: query.get('includeObject') ?? undefined,
      }),
    );
    return;
  }
  sendJson(target.response, 200, {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion: String(revision) },
    items: selected,
  });
}

function sendObject(target: ResourceRequest, httpCode: number, object: KubeObject): void {
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

async function replaceWithRetry(
  target: ResourceRequest,
  change: (current: KubeObject) => KubeObject,
  subresource?: 'status',
): Promise<KubeObject> {
  const { context, type, namespace, name } = target;
  for (let attempt = 0; ; attempt++) {
    const current = await context.store.get({ type, namespace, name: name! });
    const next = change(current);
    const pinned = next.metadata?.resourceVersion !== current.metadata?.resourceVersion;
    try {
      return await context.store.update({
        type,
        namespace,
        name: name!,
        object: {
          ...next,
          metadata: {
            ...next.metadata,
            resourceVersion: pinned ? next.metadata?.resourceVersion : current.metadata?.resourceVersion,
          },
        },
        subresource,
      });
    } catch (error) {
      // Without a client-chosen resourceVersion the server retries a lost race itself, as the real one does.
      if (!(error instanceof ApiStatusError) || error.reason !== 'Conflict' || pinned || attempt >= 4)
        throw error;
    }
  }
}

function checkScale(target: ResourceRequest, scale: KubeObject): void {
  const replicas = (scale.spec as LooseObject | undefined)?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw invalid({
      kind: 'Scale',
      group: 'autoscaling',
      name: target.name ?? '',
      causes: [
        {
          field: 'spec.replicas',
          message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        },
      ],
    });
  }
}

async function handleSubresource(target: ResourceRequest, method: string): Promise<void> {
  const { context, type, namespace, name, subresource } = target;
  if (!type.subresources.includes(subresource as 'status')) {
    throw new ApiStatusError({
      httpCode: 404,
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
    });
  }
  if (subresource === 'exec') {
    throw badRequest('Upgrade request required');
  }
  if (subresource === 'log') {
    if (method !== 'GET') throw methodNotAllowed(method, `${type.resource}/log`);
    const pod = await context.store.get({ type, namespace, name: name! });
    await streamPodLogs({ context, pod, query: target.query, response: target.response });
    return;
  }
  if (subresource === 'scale') {
    if (method === 'GET') {
      sendJson(target.response, 200, scaleOf(await context.store.get({ type, namespace, name: name! })));
      return;
    }
    let updated: KubeObject;
    if (method === 'PUT') {
      const scale = await readObjectBody(target);
      checkTypeMeta(target, scale, 'Scale', 'autoscaling/v1');
      checkScale(target, scale);
      updated = await replaceWithRetry(target, (workload) => applyScale({ type, workload, scale }));
    } else if (method === 'PATCH') {
      const body = await readBody(target.request);
      const contentType = target.request.headers['content-type'] ?? '';
      updated = await replaceWithRetry(target, (workload) => {
        const scale = patchObject({ type, current: scaleOf(workload), contentType, body });
        checkScale(target, scale);
        return applyScale({ type, workload, scale });
      });
    } else {
      throw methodNotAllowed(method, `${type.resource}/scale`);
    }
    sendJson(target.response, 200, scaleOf(updated));
    return;
  }
  // status
  if (method === 'GET') {
    sendObject(target, 200, await context.store.get({ type, namespace, name: name! }));
  } else if (method === 'PUT') {
    const object = await readObjectBody(target);
    checkTypeMeta(target, object);
    const updated = await replaceWithRetry(
      target,
      (current) => ({
        ...current,
        status: object.status,
        metadata: {
          ...current.metadata,
          resourceVersion: object.metadata?.resourceVersion ?? current.metadata?.resourceVersion,
        },
      }),
      'status',
    );
    sendJson(target.response, 200, updated);
  } else if (method === 'PATCH') {
    const body = await readBody(target.request);
    const contentType = target.request.headers['content-type'] ?? '';
    const updated = await replaceWithRetry(
      target,
      (current) => patchObject({ type, current, contentType, body }),
      'status',
    );
    sendJson(target.response, 200, updated);
  } else {
    throw methodNotAllowed(method, `${type.resource}/status`);
  }
}

function deleteOptionsFrom(
  target: ResourceRequest,
  body: LooseObject,
): {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
} {
  const queryGrace = target.query.get('gracePeriodSeconds');
  const grace = queryGrace !== null ? Number(queryGrace) : body.gracePeriodSeconds;
  if (grace !== undefined && (!Number.isFinite(grace) || grace < 0)) {
    throw badRequest(`invalid gracePeriodSeconds: ${String(grace)}`);
  }
  return {
    gracePeriodSeconds: grace,
    propagationPolicy: target.query.get('propagationPolicy') ?? body.propagationPolicy ?? undefined,
    preconditions: body.preconditions,
  };
}

/** Serves one request to a served kind with the real REST verbs, codes and bodies. */
export async function handleResourceRequest(target: ResourceRequest): Promise<void> {
  const { context, type, namespace, name } = target;
  const method = target.request.method ?? 'GET';
  checkAccept(target.request);
  if (type.namespaced && namespace === undefined && name !== undefined) {
    throw new ApiStatusError({
      httpCode: 404,
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
    });
  }
  if (target.subresource) {
    await handleSubresource(target, method);
    return;
  }
  if (name === undefined) {
    if (method === 'GET') return list(target);
    if (method === 'POST') {
      if (type.namespaced && namespace === undefined) throw methodNotAllowed(method, type.resource);
      const object = await readObjectBody(target);
      checkTypeMeta(target, object);
      checkNamespace(target, object);
      const defaulted = applyCreateDefaults({ type, object: structuredClone(object) });
      validateObject({ type, object: defaulted });
      if (target.query.get('dryRun') === 'All') {
        sendJson(target.response, 201, defaulted);
        return;
      }
      sendObject(target, 201, await context.store.create({ type, namespace, object: defaulted }));
      return;
    }
    if (method === 'DELETE') {
      const filter = objectFilterFromQuery({ type, query: target.query });
      const { items, revision } = await context.store.list({ type, namespace });
      const deleted: KubeObject[] = [];
      for (const item of items.filter((object) => matchesObjectFilter({ filter, object }))) {
        deleted.push(
          await deleteObject({
            context,
            type,
            namespace: item.metadata?.namespace,
            name: item.metadata!.name!,
            ...deleteOptionsFrom(target, {}),
          }),
        );
      }
      sendJson(target.response, 200, {
        kind: `${type.kind}List`,
        apiVersion: apiVersionOf(type),
        metadata: { resourceVersion: String(revision) },
        items: deleted,
      });
      return;
    }
    throw methodNotAllowed(method, type.resource);
  }
  switch (method) {
    case 'GET':
      sendObject(target, 200, await context.store.get({ type, namespace, name }));
      return;
    case 'PUT': {
      const object = await readObjectBody(target);
      checkTypeMeta(target, object);
      checkNamespace(target, object);
      validateObject({ type, object });
      if (type.group === '' && type.resource === 'pods') {
        validatePodUpdate({ current: await context.store.get({ type, namespace, name }), next: object });
      }
      sendObject(target, 200, await context.store.update({ type, namespace, name, object }));
      return;
    }
    case 'PATCH': {
      const body = await readBody(target.request);
      const contentType = target.request.headers['content-type'] ?? '';
      const updated = await replaceWithRetry(target, (current) => {
        const patched = patchObject({ type, current, contentType, body });
        if (patched.metadata?.uid && patched.metadata.uid !== current.metadata?.uid) {
          throw conflict({ group: type.group, resource: type.resource, name });
        }
        validateObject({ type, object: patched });
        if (type.group === '' && type.resource === 'pods') validatePodUpdate({ current, next: patched });
        return patched;
      });
      sendObject(target, 200, updated);
      return;
    }
    case 'DELETE': {
      const text = await readBody(target.request);
      const body = (text.trim() ? parseJsonBody(text) : {}) as LooseObject;
      const deleted = await deleteObject({
        context,
        type,
        namespace,
        name,
        ...deleteOptionsFrom(target, body),
      });
      sendJson(target.response, 200, deleted);
      return;
    }
    default:
      throw methodNotAllowed(method, `${type.resource}/${name}`);
  }
}
