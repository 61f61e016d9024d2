/** Where a Kubernetes object key lives: its resource and, for namespaced objects, its namespace. */
export interface RegistryKeyClass {
  /** `pods`, `services`, `example.com/widgets` for custom resources, or `(other)` outside `/registry/`. */
  resource: string;
  /** The namespace, or undefined for cluster-scoped objects and keys outside `/registry/`. */
  namespace: string | undefined;
}

/** The resource name used for keys outside `/registry/` (etcd-dr's own keys, leases of other apps...). */
export const otherResource = '(other)';

const registryPrefix = '/registry/';

/**
 * Classifies a Kubernetes apiserver key, a heuristic on its shape (the apiserver does not store the
 * scope, so a name segment count decides it):
 * - `/registry/GROUP.WITH.DOTS/RESOURCE/...` is a custom or aggregated resource: `GROUP/RESOURCE`.
 * - `/registry/services/specs/...` is `services` and `/registry/services/endpoints/...` is `endpoints`
 *   (the apiserver nests both under `services`).
 * - `/registry/RESOURCE/NS/NAME` (two segments after the resource) is namespaced in NS;
 *   `/registry/RESOURCE/NAME` (one segment) is cluster-scoped. Object names never contain `/`.
 * - Anything else (keys outside `/registry/`, or `/registry/RESOURCE` alone) is `(other)` or cluster-scoped.
 */
export function classifyRegistryKey(key: string): RegistryKeyClass {
  if (!key.startsWith(registryPrefix)) return { resource: otherResource, namespace: undefined };
  const segments = key.slice(registryPrefix.length).split('/');
  let resource = segments[0]!;
  let rest = segments.slice(1);
  if (resource.includes('.') && rest.length > 0) {
    resource = `${resource}/${rest[0]}`;
    rest = rest.slice(1);
  } else if (resource === 'services' && (rest[0] === 'specs' || rest[0] === 'endpoints') && rest.length > 1) {
    resource = rest[0] === 'specs' ? 'services' : 'endpoints';
    rest = rest.slice(1);
  }
  if (resource === '') return { resource: otherResource, namespace: undefined };
  return { resource, namespace: rest.length >= 2 ? rest[0] : undefined };
}
