import { ApiStatusError, badRequest, invalid } from '../api-status-error.js';
import type { LooseObject } from '../loose-object.js';
import type { KubeObject } from '../storage/object-store.js';
import { readBody, sendJson } from './http-io.js';
import { patchObject } from './patch-object.js';
import { streamPodLogs } from './pod-logs.js';
import { replaceWithRetry } from './replace-with-retry.js';
import {
  checkTypeMeta,
  methodNotAllowed,
  type ResourceRequest,
  readObjectBody,
  sendObject,
} from './resource-request.js';
import { applyScale, scaleOf } from './scale-subresource.js';

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

/** Serves `status`, `scale` (autoscaling/v1 Scale) and `log`; `exec` without a WebSocket upgrade is a 400. */
export async function handleSubresourceRequest(target: ResourceRequest, method: string): Promise<void> {
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
