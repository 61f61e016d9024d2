import { type ResourceType, resourceTypes, resourceVerbs } from './resource-types.js';

/**
 * The `/version` answer. It reports 1.32 on purpose: the Cloud SDK's `kubectl` is a dispatcher that runs
 * the kubectl matching the server's minor version, and only kubectl >= 1.30 speaks exec over WebSocket
 * (older ones use SPDY, which this server does not implement).
 */
export function versionInfo(): Record<string, string> {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.4-gke.1000',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.8',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

function groups(): Array<{ group: string; versions: string[] }> {
  const result: Array<{ group: string; versions: string[] }> = [];
  for (const type of resourceTypes) {
    if (!type.group) continue;
    const entry = result.find((candidate) => candidate.group === type.group);
    if (!entry) result.push({ group: type.group, versions: [type.version] });
    else if (!entry.versions.includes(type.version)) entry.versions.push(type.version);
  }
  return result;
}

/** `/api`: the legacy core group's versions. */
export function coreApiVersions(options: { serverAddress: string }): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: options.serverAddress }],
  };
}

/** `/apis`: every named group with its versions. */
export function apiGroupList(): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups().map(({ group, versions }) => ({
      name: group,
      versions: versions.map((version) => ({ groupVersion: `${group}/${version}`, version })),
      preferredVersion: { groupVersion: `${group}/${versions[0]}`, version: versions[0] },
    })),
  };
}

/** `/apis/GROUP`: one group, or undefined when not served. */
export function apiGroup(group: string): Record<string, unknown> | undefined {
  const entry = groups().find((candidate) => candidate.group === group);
  if (!entry) return undefined;
  return {
    kind: 'APIGroup',
    apiVersion: 'v1',
    name: group,
    versions: entry.versions.map((version) => ({ groupVersion: `${group}/${version}`, version })),
    preferredVersion: { groupVersion: `${group}/${entry.versions[0]}`, version: entry.versions[0] },
  };
}

function resourceEntries(type: ResourceType): Array<Record<string, unknown>> {
  const entries: Array<Record<string, unknown>> = [
    {
      name: type.resource,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs:
        type.resource === 'namespaces'
          ? resourceVerbs.filter((verb) => verb !== 'deletecollection')
          : resourceVerbs,
      ...(type.shortNames.length > 0 ? { shortNames: type.shortNames } : {}),
      ...(type.categories.length > 0 ? { categories: type.categories } : {}),
      storageVersionHash: Buffer.from(`${type.group}/${type.version}/${type.kind}`)
        .toString('base64')
        .slice(0, 11),
    },
  ];
  for (const subresource of type.subresources) {
    if (subresource === 'status') {
      entries.push({
        name: `${type.resource}/status`,
        singularName: '',
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: ['get', 'patch', 'update'],
      });
    } else if (subresource === 'scale') {
      entries.push({
        name: `${type.resource}/scale`,
        singularName: '',
        namespaced: type.namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
    } else if (subresource === 'log') {
      entries.push({
        name: `${type.resource}/log`,
        singularName: '',
        namespaced: true,
        kind: 'Pod',
        verbs: ['get'],
      });
    } else if (subresource === 'exec') {
      entries.push({
        name: `${type.resource}/exec`,
        singularName: '',
        namespaced: true,
        kind: 'PodExecOptions',
        verbs: ['create', 'get'],
      });
    }
  }
  return entries;
}

/** `/api/v1` or `/apis/GROUP/VERSION`: the resources of one group version, or undefined when not served. */
export function apiResourceList(options: {
  group: string;
  version: string;
}): Record<string, unknown> | undefined {
  const types = resourceTypes.filter(
    (type) => type.group === options.group && type.version === options.version,
  );
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: options.group ? `${options.group}/${options.version}` : options.version,
    resources: types.flatMap(resourceEntries),
  };
}
