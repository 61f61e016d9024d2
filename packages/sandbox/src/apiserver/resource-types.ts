/** Everything the server knows about one kind it serves. */
export interface ResourceType {
  /** API group; '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Plural resource name used in URLs (`pods`). */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  /** etcd key prefix after `/registry/` (`minions` for nodes, `services/specs` for services). */
  storagePrefix: string;
  /** Subresources served besides the object itself. */
  subresources: Array<'status' | 'scale' | 'log' | 'exec'>;
  categories: string[];
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The verbs discovery advertises for every served kind. */
export const resourceVerbs: readonly string[] = allVerbs;

function type(
  options: Omit<ResourceType, 'singular' | 'shortNames' | 'subresources' | 'categories' | 'storagePrefix'> &
    Partial<ResourceType>,
): ResourceType {
  return {
    singular: options.kind.toLowerCase(),
    shortNames: [],
    subresources: [],
    categories: [],
    storagePrefix:
      options.group && !isBuiltInGroup(options.group)
        ? `${options.group}/${options.resource}`
        : options.resource,
    ...options,
  };
}

function isBuiltInGroup(group: string): boolean {
  return group === 'apps' || group === 'policy' || group === 'batch';
}

/** The kinds this simulated API server serves, with the etcd keys the real one uses. */
export const resourceTypes: readonly ResourceType[] = [
  type({
    group: '',
    version: 'v1',
    kind: 'Namespace',
    resource: 'namespaces',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status'],
  }),
  type({
    group: '',
    version: 'v1',
    kind: 'Pod',
    resource: 'pods',
    namespaced: true,
    shortNames: ['po'],
    subresources: ['status', 'log', 'exec'],
    categories: ['all'],
  }),
  type({ group: '', version: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true }),
  type({ group: '', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'] }),
  type({
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    resource: 'configmaps',
    namespaced: true,
    shortNames: ['cm'],
  }),
  type({
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    resource: 'persistentvolumeclaims',
    namespaced: true,
    shortNames: ['pvc'],
    subresources: ['status'],
  }),
  type({
    group: '',
    version: 'v1',
    kind: 'Service',
    resource: 'services',
    namespaced: true,
    shortNames: ['svc'],
    subresources: ['status'],
    storagePrefix: 'services/specs',
    categories: ['all'],
  }),
  type({
    group: '',
    version: 'v1',
    kind: 'Node',
    resource: 'nodes',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status'],
    storagePrefix: 'minions',
  }),
  type({
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    resource: 'statefulsets',
    namespaced: true,
    shortNames: ['sts'],
    subresources: ['status', 'scale'],
    categories: ['all'],
  }),
  type({
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    resource: 'deployments',
    namespaced: true,
    shortNames: ['deploy'],
    subresources: ['status', 'scale'],
    categories: ['all'],
  }),
  type({
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    resource: 'poddisruptionbudgets',
    namespaced: true,
    shortNames: ['pdb'],
    subresources: ['status'],
  }),
  type({
    group: 'onprem.cluster.gke.io',
    version: 'v1alpha1',
    kind: 'OnPremUserCluster',
    resource: 'onpremuserclusters',
    namespaced: true,
    subresources: ['status'],
  }),
];

/** Finds a served kind by group, version and plural resource name. */
export function findResourceType(options: {
  group: string;
  version: string;
  resource: string;
}): ResourceType | undefined {
  return resourceTypes.find(
    (candidate) =>
      candidate.group === options.group &&
      candidate.version === options.version &&
      candidate.resource === options.resource,
  );
}

/** Finds a served kind by its kind name and group. */
export function findResourceTypeByKind(options: { group: string; kind: string }): ResourceType | undefined {
  return resourceTypes.find(
    (candidate) => candidate.group === options.group && candidate.kind === options.kind,
  );
}

/** `apiVersion` as objects carry it (`v1`, `apps/v1`). */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The etcd key of one object, exactly as the real apiserver writes it. */
export function storageKey(options: { type: ResourceType; namespace?: string; name: string }): string {
  return options.type.namespaced
    ? `/registry/${options.type.storagePrefix}/${options.namespace}/${options.name}`
    : `/registry/${options.type.storagePrefix}/${options.name}`;
}

/** The etcd prefix of a collection (all namespaces when `namespace` is omitted). */
export function storagePrefix(options: { type: ResourceType; namespace?: string }): string {
  return options.type.namespaced && options.namespace
    ? `/registry/${options.type.storagePrefix}/${options.namespace}/`
    : `/registry/${options.type.storagePrefix}/`;
}
