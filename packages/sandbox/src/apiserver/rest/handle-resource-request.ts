import { ApiStatusError, badRequest, conflict } from '../api-status-error.js';
import type { LooseObject } from '../loose-object.js';
import { applyCreateDefaults } from '../object-defaults.js';
import { apiVersionOf } from '../resource-types.js';
import type { KubeObject } from '../storage/object-store.js';
import { renderTable } from '../tables.js';
import { validateObject, validatePodUpdate } from '../validate-object.js';
import { deleteObject } from './delete-object.js';
import { handleSubresourceRequest } from './handle-subresource-request.js';
import { parseJsonBody, readBody, sendJson } from './http-io.js';
import { matchesObjectFilter, objectFilterFromQuery } from './object-filter.js';
import { patchObject } from './patch-object.js';
import { replaceWithRetry } from './replace-with-retry.js';
import {
  checkAccept,
  checkNamespace,
  checkTypeMeta,
  methodNotAllowed,
  type ResourceRequest,
  readObjectBody,
  sendObject,
  wantsTable,
} from './resource-request.js';
import { watchObjects } from './watch-objects.js';

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
    await handleSubresourceRequest(target, method);
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
