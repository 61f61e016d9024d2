import { ApiStatusError, badRequest } from '../api-status-error.js';
import { applyJsonPatch, type JsonPatchOperation } from '../patch/json-patch.js';
import { applyMergePatch } from '../patch/merge-patch.js';
import { applyStrategicMergePatch } from '../patch/strategic-merge-patch.js';
import type { ResourceType } from '../resource-types.js';
import type { KubeObject } from '../storage/object-store.js';
import { parseJsonBody } from './http-io.js';

/** Applies a PATCH body of the given media type to `current`. Pure. */
export function patchObject(options: {
  type: ResourceType;
  current: KubeObject;
  contentType: string;
  body: string;
}): KubeObject {
  const mediaType = options.contentType.split(';')[0]!.trim();
  switch (mediaType) {
    case 'application/json-patch+json':
      return applyJsonPatch({
        document: options.current,
        operations: parseJsonBody(options.body) as JsonPatchOperation[],
      }) as KubeObject;
    case 'application/merge-patch+json':
      return applyMergePatch({ document: options.current, patch: parseJsonBody(options.body) }) as KubeObject;
    case 'application/strategic-merge-patch+json':
      // Custom resources have no Go struct to read patch strategies from; the real server refuses them too.
      if (options.type.group.includes('.')) {
        throw new ApiStatusError({
          httpCode: 415,
          reason: 'UnsupportedMediaType',
          message: 'strategic merge patch is not supported for custom resources; use a merge or JSON patch',
        });
      }
      return applyStrategicMergePatch({
        document: options.current,
        patch: parseJsonBody(options.body),
      }) as KubeObject;
    case 'application/apply-patch+yaml':
      throw badRequest(
        'server-side apply is not supported by this API server; use client-side kubectl apply',
      );
    default:
      throw new ApiStatusError({
        httpCode: 415,
        reason: 'UnsupportedMediaType',
        message: `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got "${mediaType}")`,
      });
  }
}
