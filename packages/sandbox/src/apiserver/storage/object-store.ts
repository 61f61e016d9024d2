import { randomBytes, randomUUID } from 'node:crypto';
import {
  alreadyExists,
  conflict,
  internalError,
  invalid,
  namespaceTerminating,
  notFound,
} from '../api-status-error.js';
import {
  apiVersionOf,
  type ResourceType,
  resourceTypes,
  storageKey,
  storagePrefix,
} from '../resource-types.js';
import type { WatchHub } from '../watch-hub.js';
import type { EtcdGatewayClient, EtcdKeyValue } from './etcd-gateway-client.js';

/** A Kubernetes object as JSON. */
export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

/** The metadata fields this server reads and writes (others are kept as they come). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
  }>;
  finalizers?: string[];
  [key: string]: unknown;
}

/** Kubernetes object semantics (uid, resourceVersion, generation, namespaces) over etcd keys. */
export interface ObjectStore {
  get(options: { type: ResourceType; namespace?: string; name: string }): Promise<KubeObject>;
  list(options: {
    type: ResourceType;
    namespace?: string;
  }): Promise<{ items: KubeObject[]; revision: number }>;
  create(options: { type: ResourceType; namespace?: string; object: KubeObject }): Promise<KubeObject>;
  /**
   * Replaces an object. The write is a compare-and-swap on the resourceVersion the object carries (or on
   * the current one when it carries none); `subresource: 'status'` keeps the stored spec, otherwise status.
   */
  update(options: {
    type: ResourceType;
    namespace?: string;
    name: string;
    object: KubeObject;
    subresource?: 'status';
  }): Promise<KubeObject>;
  remove(options: {
    type: ResourceType;
    namespace?: string;
    name: string;
    preconditionUid?: string;
  }): Promise<KubeObject>;
  /** True when etcd answers a read within `timeoutMs` (default 2000), as the apiserver's etcd health check. */
  isHealthy(options?: { timeoutMs?: number }): Promise<boolean>;
}

const nameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** A 5-character suffix from the same alphabet the real apiserver uses for generateName. */
export function randomNameSuffix(length = 5): string {
  return [...randomBytes(length)].map((byte) => nameAlphabet[byte % nameAlphabet.length]).join('');
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function decode(type: ResourceType, kv: EtcdKeyValue): KubeObject {
  const object = JSON.parse(kv.value) as KubeObject;
  object.apiVersion = apiVersionOf(type);
  object.kind = type.kind;
  object.metadata = { ...object.metadata, resourceVersion: String(kv.modRevision) };
  return object;
}

function resourceKey(type: ResourceType): string {
  return `${type.group}/${type.resource}`;
}

function ref(type: ResourceType, name: string): { group: string; resource: string; name: string } {
  return { group: type.group, resource: type.resource, name };
}

function encode(object: KubeObject): string {
  const { resourceVersion: _dropped, ...metadata } = object.metadata ?? {};
  return JSON.stringify({ ...object, metadata });
}

const namespaceType = resourceTypes.find((candidate) => candidate.resource === 'namespaces')!;

/** Creates the store; every successful write is published on `hub`. */
export function createObjectStore(options: { etcd: EtcdGatewayClient; hub: WatchHub }): ObjectStore {
  const { etcd, hub } = options;
  // etcd revisions only grow, so an answer older than what was seen before the request started means
  // etcd was restored underneath this server.
  let highestRevision = 0;
  const observe = (revision: number, seenBefore: number): void => {
    if (revision < seenBefore) hub.reset(revision);
    highestRevision = revision < seenBefore ? revision : Math.max(highestRevision, revision);
  };

  async function current(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
  ): Promise<EtcdKeyValue> {
    const seenBefore = highestRevision;
    const { item, revision } = await etcd.get(storageKey({ type, namespace, name }));
    observe(revision, seenBefore);
    if (!item) throw notFound(ref(type, name));
    return item;
  }

  return {
    async get({ type, namespace, name }) {
      return decode(type, await current(type, namespace, name));
    },

    async list({ type, namespace }) {
      const seenBefore = highestRevision;
      const { items, revision } = await etcd.list(storagePrefix({ type, namespace }));
      observe(revision, seenBefore);
      return { items: items.map((kv) => decode(type, kv)), revision };
    },

    async create({ type, namespace, object }) {
      if (object.metadata?.resourceVersion) {
        throw internalError('resourceVersion should not be set on objects to be created');
      }
      const metadata: ObjectMeta = { ...object.metadata };
      if (!metadata.name && metadata.generateName) metadata.name = metadata.generateName + randomNameSuffix();
      const name = metadata.name ?? '';
      if (!name) {
        throw invalid({
          kind: type.kind,
          group: type.group,
          name: '',
          causes: [
            {
              field: 'metadata.name',
              message: 'Required value: name or generateName is required',
              reason: 'FieldValueRequired',
            },
          ],
        });
      }
      if (!dnsSubdomain.test(name) || name.length > 253) {
        throw invalid({
          kind: type.kind,
          group: type.group,
          name,
          causes: [
            {
              field: 'metadata.name',
              message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
            },
          ],
        });
      }
      if (type.namespaced) {
        const { item } = await etcd.get(storageKey({ type: namespaceType, name: namespace ?? '' }));
        if (!item) throw notFound({ group: '', resource: 'namespaces', name: namespace ?? '' });
        if ((JSON.parse(item.value) as KubeObject).metadata?.deletionTimestamp) {
          throw namespaceTerminating({ ...ref(type, name), namespace: namespace ?? '' });
        }
        metadata.namespace = namespace;
      } else {
        delete metadata.namespace;
      }
      metadata.uid = randomUUID();
      metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      metadata.generation = 1;
      delete metadata.resourceVersion;
      delete metadata.deletionTimestamp;
      const stored: KubeObject = { ...object, apiVersion: apiVersionOf(type), kind: type.kind, metadata };
      if (type.resource === 'namespaces') {
        stored.spec = { finalizers: ['kubernetes'], ...stored.spec };
        stored.status = { phase: 'Active' };
      }
      const key = storageKey({ type, namespace, name });
      const result = await etcd.compareAndPut({ key, value: encode(stored), expectedModRevision: 0 });
      if (!result.ok) throw alreadyExists(ref(type, name));
      const created = { ...stored, metadata: { ...metadata, resourceVersion: String(result.revision) } };
      hub.publish({
        type: 'ADDED',
        resourceKey: resourceKey(type),
        namespace,
        object: created,
        revision: result.revision,
      });
      return structuredClone(created);
    },

    async update({ type, namespace, name, object, subresource }) {
      const kv = await current(type, namespace, name);
      const existing = decode(type, kv);
      const requested = object.metadata?.resourceVersion;
      if (requested && requested !== String(kv.modRevision)) throw conflict(ref(type, name));
      if (object.metadata?.name && object.metadata.name !== name) {
        throw invalid({
          kind: type.kind,
          group: type.group,
          name,
          causes: [
            {
              field: 'metadata.name',
              message: `Invalid value: "${object.metadata.name}": field is immutable`,
            },
          ],
        });
      }
      const existingMeta = existing.metadata ?? {};
      let next: KubeObject;
      if (subresource === 'status') {
        next = { ...existing, status: object.status };
      } else {
        const metadata: ObjectMeta = {
          ...object.metadata,
          name,
          uid: existingMeta.uid,
          creationTimestamp: existingMeta.creationTimestamp,
          generation: existingMeta.generation ?? 1,
          ...(existingMeta.deletionTimestamp
            ? {
                deletionTimestamp: existingMeta.deletionTimestamp,
                deletionGracePeriodSeconds: existingMeta.deletionGracePeriodSeconds,
              }
            : {}),
        };
        if (type.namespaced) metadata.namespace = namespace;
        // The status subresource owns status when it exists; the main resource owns everything else.
        const status = type.subresources.includes('status') ? existing.status : object.status;
        next = { ...object, metadata, ...(status === undefined ? {} : { status }) };
        if (status === undefined) delete next.status;
        if (JSON.stringify(object.spec) !== JSON.stringify(existing.spec) && type.resource !== 'namespaces') {
          metadata.generation = (existingMeta.generation ?? 1) + 1;
        }
      }
      next.apiVersion = apiVersionOf(type);
      next.kind = type.kind;
      const key = storageKey({ type, namespace, name });
      const result = await etcd.compareAndPut({
        key,
        value: encode(next),
        expectedModRevision: kv.modRevision,
      });
      if (!result.ok) throw result.current ? conflict(ref(type, name)) : notFound(ref(type, name));
      const updated = { ...next, metadata: { ...next.metadata, resourceVersion: String(result.revision) } };
      hub.publish({
        type: 'MODIFIED',
        resourceKey: resourceKey(type),
        namespace,
        object: updated,
        revision: result.revision,
      });
      return structuredClone(updated);
    },

    async isHealthy(healthOptions) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), healthOptions?.timeoutMs ?? 2000);
      });
      const probe = etcd.get('health').then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([probe, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },

    async remove({ type, namespace, name, preconditionUid }) {
      const kv = await current(type, namespace, name);
      const existing = decode(type, kv);
      if (preconditionUid && existing.metadata?.uid !== preconditionUid) {
        throw conflict(ref(type, name));
      }
      const key = storageKey({ type, namespace, name });
      const result = await etcd.compareAndDelete({ key, expectedModRevision: kv.modRevision });
      if (!result.ok) throw result.current ? conflict(ref(type, name)) : notFound(ref(type, name));
      const deleted = {
        ...existing,
        metadata: { ...existing.metadata, resourceVersion: String(result.revision) },
      };
      hub.publish({
        type: 'DELETED',
        resourceKey: resourceKey(type),
        namespace,
        object: deleted,
        revision: result.revision,
      });
      return deleted;
    },
  };
}
