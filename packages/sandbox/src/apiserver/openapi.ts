import { createHash } from 'node:crypto';
import { apiVersionOf, type ResourceType, resourceTypes } from './resource-types.js';

// kubectl reads OpenAPI v3 only to learn that the server validates fields itself (the `fieldValidation`
// query parameter on each kind's PATCH operation); with that answer it skips client-side schema
// validation and computes apply patches from its compiled-in types. So each document lists the object
// paths with that parameter and the kind's x-kubernetes-group-version-kind, and no schemas.

function groupVersionPath(type: ResourceType): string {
  return type.group ? `apis/${type.group}/${type.version}` : `api/${type.version}`;
}

function groupVersionPaths(): string[] {
  return [...new Set(resourceTypes.map(groupVersionPath))];
}

/** The `/openapi/v3` root: one entry per served group version. */
export function openApiV3Root(): Record<string, unknown> {
  return {
    paths: Object.fromEntries(
      groupVersionPaths().map((path) => {
        const hash = createHash('sha512')
          .update(JSON.stringify(openApiV3Document(path)))
          .digest('hex')
          .slice(0, 32)
          .toUpperCase();
        return [path, { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` }];
      }),
    ),
  };
}

const parameters = ['dryRun', 'fieldManager', 'fieldValidation', 'force', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
}));

/** The OpenAPI v3 document of one group version (`api/v1`, `apis/apps/v1`), or undefined. */
export function openApiV3Document(groupVersion: string): Record<string, unknown> | undefined {
  const types = resourceTypes.filter((type) => groupVersionPath(type) === groupVersion);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const type of types) {
    const base = `/${groupVersionPath(type)}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.resource}/{name}`;
    const gvk = { group: type.group, version: type.version, kind: type.kind };
    const operation = (verb: string) => ({
      operationId: `${verb}${type.kind}`,
      'x-kubernetes-action': verb,
      'x-kubernetes-group-version-kind': gvk,
      parameters,
      responses: { '200': { description: 'OK' } },
    });
    paths[base] = {
      get: operation('get'),
      put: operation('put'),
      patch: operation('patch'),
      delete: operation('delete'),
    };
    for (const subresource of type.subresources.filter((name) => name === 'status' || name === 'scale')) {
      const subGvk = subresource === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : gvk;
      paths[`${base}/${subresource}`] = {
        patch: { ...operation('patch'), 'x-kubernetes-group-version-kind': subGvk },
      };
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: apiVersionOf(types[0]!) },
    paths,
    components: { schemas: {} },
  };
}

/** `/openapi/v2` in JSON: the same paths, swagger 2.0 shape. */
export function openApiV2(): Record<string, unknown> {
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.28.15' }, paths: {}, definitions: {} };
}
