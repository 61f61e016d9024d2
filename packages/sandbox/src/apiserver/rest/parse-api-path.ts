import { findResourceType, type ResourceType } from '../resource-types.js';

/** What a `/api/...` or `/apis/...` path addresses. */
export type ApiPath =
  | { kind: 'resource'; type: ResourceType; namespace?: string; name?: string; subresource?: string }
  | { kind: 'unknownResource'; group: string; version: string; resource: string }
  | { kind: 'discovery'; group: string; version?: string }
  | { kind: 'none' };

/** Parses a request path against the served kinds. Pure. */
export function parseApiPath(pathname: string): ApiPath {
  const segments = pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (segments[0] === 'api') {
    if (segments.length === 1) return { kind: 'discovery', group: '' };
    if (segments[1] !== 'v1') return { kind: 'none' };
    group = '';
    rest = segments.slice(1);
  } else if (segments[0] === 'apis') {
    if (segments.length === 1) return { kind: 'none' };
    group = segments[1]!;
    if (segments.length === 2) return { kind: 'discovery', group };
    rest = segments.slice(2);
  } else {
    return { kind: 'none' };
  }
  const version = rest[0]!;
  const parts = rest.slice(1);
  if (parts.length === 0) return { kind: 'discovery', group, version };
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    const type = findResourceType({ group, version, resource: parts[2]! });
    if (type?.namespaced) {
      return { kind: 'resource', type, namespace: parts[1], name: parts[3], subresource: parts[4] };
    }
    if (!type && group === '' && parts.length === 3) {
      const namespaces = findResourceType({ group, version, resource: 'namespaces' })!;
      if (namespaces.subresources.includes(parts[2] as 'status')) {
        return { kind: 'resource', type: namespaces, name: parts[1], subresource: parts[2] };
      }
    }
    if (!type) return { kind: 'unknownResource', group, version, resource: parts[2]! };
  }
  const type = findResourceType({ group, version, resource: parts[0]! });
  if (!type) return { kind: 'unknownResource', group, version, resource: parts[0]! };
  return { kind: 'resource', type, name: parts[1], subresource: parts[2] };
}
