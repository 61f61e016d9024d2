import { badRequest } from '../api-status-error.js';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Lists the real types declare with patchStrategy=merge and their patchMergeKey; every other list is atomic.
const mergeKeys: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  conditions: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};
const primitiveMergeLists = new Set(['finalizers']);

function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  if (field === 'ports') {
    const sample = items.find(isObject);
    if (sample && 'containerPort' in sample) return 'containerPort';
    return 'port';
  }
  return mergeKeys[field];
}

function mergeList(field: string, original: unknown, patch: unknown[], deletions: unknown[]): unknown[] {
  const current = Array.isArray(original) ? structuredClone(original) : [];
  if (primitiveMergeLists.has(field)) {
    const merged = current.filter((item) => !deletions.includes(item));
    for (const item of patch) if (!merged.includes(item)) merged.push(item);
    return merged;
  }
  const key = mergeKeyFor(field, [...patch, ...current]);
  if (!key || !patch.every(isObject)) return structuredClone(patch);
  if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace'));
  }
  const result = current as JsonObject[];
  for (const item of patch as JsonObject[]) {
    const index = result.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = applyMap(result[index], item);
    } else {
      result.push(applyMap(undefined, item));
    }
  }
  return result;
}

function applyMap(original: unknown, patch: JsonObject): JsonObject {
  if (patch.$patch === 'delete') return {};
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return stripDirectives(rest) as JsonObject;
  }
  const result: JsonObject = isObject(original) ? structuredClone(original) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/') || key === '$patch') continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(result[field]) && Array.isArray(value)) {
        result[field] = (result[field] as unknown[]).filter((item) => !value.includes(item));
      }
      continue;
    }
    if (key === '$retainKeys') continue;
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      const deletions = patch[`$deleteFromPrimitiveList/${key}`];
      result[key] = mergeList(key, result[key], value, Array.isArray(deletions) ? deletions : []);
    } else if (isObject(value)) {
      result[key] = applyMap(result[key], value);
    } else {
      result[key] = value;
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    const retained = new Set(patch.$retainKeys as string[]);
    for (const key of Object.keys(result)) if (!retained.has(key)) delete result[key];
  }
  return result;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('$'))
      .map(([key, inner]) => [key, stripDirectives(inner)]),
  );
}

/**
 * Applies a Kubernetes strategic merge patch: maps merge, lists of containers/volumes/env/ports/... merge by
 * their patch merge key, other lists are replaced; `$patch`, `$setElementOrder`, `$deleteFromPrimitiveList`
 * and `$retainKeys` directives are honoured.
 */
export function applyStrategicMergePatch(options: { document: unknown; patch: unknown }): unknown {
  if (!isObject(options.patch)) throw badRequest('strategic merge patch must be a JSON object');
  return applyMap(options.document, options.patch);
}
