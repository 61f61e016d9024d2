import type { LooseObject } from './loose-object.js';
import type { ResourceType } from './resource-types.js';
import type { KubeObject } from './storage/object-store.js';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: string;
  priority?: number;
  description?: string;
  cell: (object: KubeObject, now: number) => string | number;
}

/** `5s`, `3m2s`, `4h`, `2d` as the real server's `duration.HumanDuration` prints ages. */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}

const nameColumn: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  cell: (object) => object.metadata?.name ?? '',
};
const ageColumn: Column = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (object, now) =>
    object.metadata?.creationTimestamp
      ? humanDuration(now - Date.parse(object.metadata.creationTimestamp))
      : '<unknown>',
};

/** The STATUS column of `kubectl get pods`, derived like the real printer does. */
export function podStatusReason(pod: KubeObject): string {
  const status = (pod.status ?? {}) as LooseObject;
  let reason: string = status.reason ?? status.phase ?? 'Pending';
  for (const container of (status.containerStatuses ?? []) as LooseObject[]) {
    const waiting = container.state?.waiting?.reason;
    const terminated = container.state?.terminated;
    if (waiting && waiting !== 'ContainerCreating') reason = waiting;
    else if (waiting && reason === 'Pending') reason = waiting;
    else if (terminated && reason !== 'Running')
      reason = terminated.reason ?? `ExitCode:${terminated.exitCode}`;
  }
  if (pod.metadata?.deletionTimestamp) reason = 'Terminating';
  return reason;
}

const podColumns: Column[] = [
  nameColumn,
  {
    name: 'Ready',
    type: 'string',
    description: 'The aggregate readiness state of this pod for accepting traffic.',
    cell: (pod) => {
      const containers = ((pod.spec as LooseObject | undefined)?.containers ?? []) as LooseObject[];
      const statuses = ((pod.status as LooseObject | undefined)?.containerStatuses ?? []) as LooseObject[];
      return `${statuses.filter((status) => status.ready).length}/${containers.length}`;
    },
  },
  {
    name: 'Status',
    type: 'string',
    description: 'The aggregate status of the containers in this pod.',
    cell: podStatusReason,
  },
  {
    name: 'Restarts',
    type: 'string',
    description: 'The number of times the containers in this pod have been restarted.',
    cell: (pod) =>
      String(
        (((pod.status as LooseObject | undefined)?.containerStatuses ?? []) as LooseObject[]).reduce(
          (sum, status) => sum + (status.restartCount ?? 0),
          0,
        ),
      ),
  },
  ageColumn,
  {
    name: 'IP',
    type: 'string',
    priority: 1,
    description: 'IP address allocated to the pod.',
    cell: (pod) => (pod.status as LooseObject | undefined)?.podIP ?? '<none>',
  },
  {
    name: 'Node',
    type: 'string',
    priority: 1,
    description: 'Name of the Node.',
    cell: (pod) => (pod.spec as LooseObject | undefined)?.nodeName ?? '<none>',
  },
  {
    name: 'Nominated Node',
    type: 'string',
    priority: 1,
    description: 'Nominated node name.',
    cell: (pod) => (pod.status as LooseObject | undefined)?.nominatedNodeName ?? '<none>',
  },
  {
    name: 'Readiness Gates',
    type: 'string',
    priority: 1,
    description: 'Pod readiness gates.',
    cell: (pod) => {
      const gates = ((pod.spec as LooseObject | undefined)?.readinessGates ?? []) as LooseObject[];
      return gates.length === 0 ? '<none>' : `0/${gates.length}`;
    },
  },
];

const templateColumns: Column[] = [
  {
    name: 'Containers',
    type: 'string',
    priority: 1,
    cell: (object) =>
      (((object.spec as LooseObject | undefined)?.template?.spec?.containers ?? []) as LooseObject[])
        .map((container) => container.name)
        .join(','),
  },
  {
    name: 'Images',
    type: 'string',
    priority: 1,
    cell: (object) =>
      (((object.spec as LooseObject | undefined)?.template?.spec?.containers ?? []) as LooseObject[])
        .map((container) => container.image)
        .join(','),
  },
];

const selectorColumn: Column = {
  name: 'Selector',
  type: 'string',
  priority: 1,
  cell: (object) => {
    const selector = (object.spec as LooseObject | undefined)?.selector ?? {};
    const labels = (selector.matchLabels ?? selector) as Record<string, unknown>;
    const text = Object.entries(labels)
      .filter(([, value]) => typeof value === 'string')
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    return text || '<none>';
  },
};

function spec(object: KubeObject): LooseObject {
  return (object.spec ?? {}) as LooseObject;
}
function status(object: KubeObject): LooseObject {
  return (object.status ?? {}) as LooseObject;
}

const columnsByResource: Record<string, Column[]> = {
  '/pods': podColumns,
  '/namespaces': [
    nameColumn,
    { name: 'Status', type: 'string', cell: (object) => status(object).phase ?? 'Active' },
    ageColumn,
  ],
  '/secrets': [
    nameColumn,
    { name: 'Type', type: 'string', cell: (object) => (object.type as string | undefined) ?? 'Opaque' },
    {
      name: 'Data',
      type: 'integer',
      cell: (object) => Object.keys((object.data as LooseObject | undefined) ?? {}).length,
    },
    ageColumn,
  ],
  '/configmaps': [
    nameColumn,
    {
      name: 'Data',
      type: 'integer',
      cell: (object) =>
        Object.keys((object.data as LooseObject | undefined) ?? {}).length +
        Object.keys((object.binaryData as LooseObject | undefined) ?? {}).length,
    },
    ageColumn,
  ],
  '/persistentvolumeclaims': [
    nameColumn,
    { name: 'Status', type: 'string', cell: (object) => status(object).phase ?? 'Pending' },
    { name: 'Volume', type: 'string', cell: (object) => spec(object).volumeName ?? '' },
    { name: 'Capacity', type: 'string', cell: (object) => status(object).capacity?.storage ?? '' },
    { name: 'Access Modes', type: 'string', cell: (object) => (spec(object).accessModes ?? []).join(',') },
    { name: 'StorageClass', type: 'string', cell: (object) => spec(object).storageClassName ?? '<unset>' },
    ageColumn,
  ],
  '/services': [
    nameColumn,
    { name: 'Type', type: 'string', cell: (object) => spec(object).type ?? 'ClusterIP' },
    { name: 'Cluster-IP', type: 'string', cell: (object) => spec(object).clusterIP ?? '<none>' },
    { name: 'External-IP', type: 'string', cell: () => '<none>' },
    {
      name: 'Port(s)',
      type: 'string',
      cell: (object) =>
        ((spec(object).ports ?? []) as LooseObject[])
          .map((port) => `${port.port}/${port.protocol ?? 'TCP'}`)
          .join(',') || '<none>',
    },
    ageColumn,
    selectorColumn,
  ],
  '/nodes': [
    nameColumn,
    {
      name: 'Status',
      type: 'string',
      cell: (object) => {
        const ready = ((status(object).conditions ?? []) as LooseObject[]).find(
          (condition) => condition.type === 'Ready',
        );
        return ready?.status === 'True' ? 'Ready' : 'NotReady';
      },
    },
    {
      name: 'Roles',
      type: 'string',
      cell: (object) =>
        Object.keys(object.metadata?.labels ?? {})
          .filter((label) => label.startsWith('node-role.kubernetes.io/'))
          .map((label) => label.slice('node-role.kubernetes.io/'.length))
          .join(',') || '<none>',
    },
    ageColumn,
    { name: 'Version', type: 'string', cell: (object) => status(object).nodeInfo?.kubeletVersion ?? '' },
    {
      name: 'Internal-IP',
      type: 'string',
      priority: 1,
      cell: (object) =>
        ((status(object).addresses ?? []) as LooseObject[]).find((address) => address.type === 'InternalIP')
          ?.address ?? '<none>',
    },
    {
      name: 'External-IP',
      type: 'string',
      priority: 1,
      cell: (object) =>
        ((status(object).addresses ?? []) as LooseObject[]).find((address) => address.type === 'ExternalIP')
          ?.address ?? '<none>',
    },
    {
      name: 'OS-Image',
      type: 'string',
      priority: 1,
      cell: (object) => status(object).nodeInfo?.osImage ?? '<unknown>',
    },
    {
      name: 'Kernel-Version',
      type: 'string',
      priority: 1,
      cell: (object) => status(object).nodeInfo?.kernelVersion ?? '<unknown>',
    },
    {
      name: 'Container-Runtime',
      type: 'string',
      priority: 1,
      cell: (object) => status(object).nodeInfo?.containerRuntimeVersion ?? '<unknown>',
    },
  ],
  'apps/statefulsets': [
    nameColumn,
    {
      name: 'Ready',
      type: 'string',
      cell: (object) => `${status(object).readyReplicas ?? 0}/${spec(object).replicas ?? 1}`,
    },
    ageColumn,
    ...templateColumns,
  ],
  'apps/deployments': [
    nameColumn,
    {
      name: 'Ready',
      type: 'string',
      cell: (object) => `${status(object).readyReplicas ?? 0}/${spec(object).replicas ?? 1}`,
    },
    { name: 'Up-to-date', type: 'integer', cell: (object) => status(object).updatedReplicas ?? 0 },
    { name: 'Available', type: 'integer', cell: (object) => status(object).availableReplicas ?? 0 },
    ageColumn,
    ...templateColumns,
    selectorColumn,
  ],
  'policy/poddisruptionbudgets': [
    nameColumn,
    { name: 'Min Available', type: 'string', cell: (object) => String(spec(object).minAvailable ?? 'N/A') },
    {
      name: 'Max Unavailable',
      type: 'string',
      cell: (object) => String(spec(object).maxUnavailable ?? 'N/A'),
    },
    {
      name: 'Allowed Disruptions',
      type: 'integer',
      cell: (object) => status(object).disruptionsAllowed ?? 0,
    },
    ageColumn,
  ],
};

/**
 * Renders objects as a `meta.k8s.io/v1 Table`, the form `kubectl get` asks for. `includeObject` follows the
 * query parameter: `Object`, `None`, or (default) `Metadata` (PartialObjectMetadata).
 */
export function renderTable(options: {
  type: ResourceType;
  objects: KubeObject[];
  resourceVersion: string;
  includeObject?: string;
  now?: number;
}): Record<string, unknown> {
  const now = options.now ?? Date.now();
  const columns = columnsByResource[`${options.type.group}/${options.type.resource}`] ?? [
    nameColumn,
    ageColumn,
  ];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: options.resourceVersion },
    columnDefinitions: columns.map((column) => ({
      name: column.name,
      type: column.type,
      format: column.format ?? '',
      description: column.description ?? '',
      priority: column.priority ?? 0,
    })),
    rows: options.objects.map((object) => ({
      cells: columns.map((column) => column.cell(object, now)),
      object:
        options.includeObject === 'None'
          ? undefined
          : options.includeObject === 'Object'
            ? object
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata },
    })),
  };
}
