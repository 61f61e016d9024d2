import { EtcdDrError } from '@etcd-dr/sdk';

/** The `reason` values of a Kubernetes `Status` this server produces. */
export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'Unauthorized'
  | 'Forbidden'
  | 'InternalError'
  | 'Timeout'
  | 'ServiceUnavailable'
  | 'Expired'
  | 'Gone'
  | 'RequestEntityTooLarge';

/** A Kubernetes `meta/v1 Status` object. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason | string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: Array<{ reason?: string; message?: string; field?: string }>;
  };
  code?: number;
}

/**
 * An API request failed in a way the client must see as a Kubernetes `Status` (HTTP code + reason),
 * exactly as the real API server reports it.
 */
export class ApiStatusError extends EtcdDrError {
  readonly httpCode: number;
  readonly reason: StatusReason;
  readonly details: KubeStatus['details'];

  constructor(options: {
    httpCode: number;
    reason: StatusReason;
    message: string;
    details?: KubeStatus['details'];
    cause?: unknown;
  }) {
    super({
      code: `API_${options.reason.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`,
      message: options.message,
      isRetryable: options.httpCode >= 500,
      cause: options.cause,
    });
    this.name = 'ApiStatusError';
    this.httpCode = options.httpCode;
    this.reason = options.reason;
    this.details = options.details;
  }

  /** The `Status` body the server sends. */
  toStatus(): KubeStatus {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.httpCode,
    };
  }
}

interface ResourceRef {
  group: string;
  resource: string;
  name: string;
}

function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

/** 404 `NotFound` as the real server words it: `pods "x" not found`. */
export function notFound(ref: ResourceRef): ApiStatusError {
  return new ApiStatusError({
    httpCode: 404,
    reason: 'NotFound',
    message: `${qualified(ref)} "${ref.name}" not found`,
    details: { name: ref.name, group: ref.group || undefined, kind: ref.resource },
  });
}

/** 409 `AlreadyExists`: `pods "x" already exists`. */
export function alreadyExists(ref: ResourceRef): ApiStatusError {
  return new ApiStatusError({
    httpCode: 409,
    reason: 'AlreadyExists',
    message: `${qualified(ref)} "${ref.name}" already exists`,
    details: { name: ref.name, group: ref.group || undefined, kind: ref.resource },
  });
}

/** 409 `Conflict` on a stale resourceVersion, worded like the real optimistic-concurrency error. */
export function conflict(ref: ResourceRef): ApiStatusError {
  return new ApiStatusError({
    httpCode: 409,
    reason: 'Conflict',
    message: `Operation cannot be fulfilled on ${qualified(ref)} "${ref.name}": the object has been modified; please apply your changes to the latest version and try again`,
    details: { name: ref.name, group: ref.group || undefined, kind: ref.resource },
  });
}

/** 422 `Invalid` with field causes. */
export function invalid(options: {
  kind: string;
  group: string;
  name: string;
  causes: Array<{ field: string; message: string; reason?: string }>;
}): ApiStatusError {
  const summary = options.causes.map((cause) => `${cause.field}: ${cause.message}`).join(', ');
  return new ApiStatusError({
    httpCode: 422,
    reason: 'Invalid',
    message: `${options.kind} "${options.name}" is invalid: ${summary}`,
    details: {
      name: options.name,
      group: options.group || undefined,
      kind: options.kind,
      causes: options.causes.map((cause) => ({
        reason: cause.reason ?? 'FieldValueInvalid',
        message: cause.message,
        field: cause.field,
      })),
    },
  });
}

/** 403 `Forbidden`: creating in a namespace that is being deleted, worded as the real admission plugin. */
export function namespaceTerminating(ref: ResourceRef & { namespace: string }): ApiStatusError {
  return new ApiStatusError({
    httpCode: 403,
    reason: 'Forbidden',
    message: `${qualified(ref)} "${ref.name}" is forbidden: unable to create new content in namespace ${ref.namespace} because it is being terminated`,
    details: { name: ref.name, group: ref.group || undefined, kind: ref.resource },
  });
}

/** 400 `BadRequest`. */
export function badRequest(message: string): ApiStatusError {
  return new ApiStatusError({ httpCode: 400, reason: 'BadRequest', message });
}

/** 500 `InternalError` for etcd failures, worded like the real server (`etcdserver: request timed out`). */
export function etcdTimeout(cause?: unknown): ApiStatusError {
  return new ApiStatusError({
    httpCode: 504,
    reason: 'Timeout',
    message: 'etcdserver: request timed out',
    details: { causes: [{ message: 'etcdserver: request timed out' }] },
    cause,
  });
}

/** 500 `InternalError` carrying etcd's message. */
export function internalError(message: string, cause?: unknown): ApiStatusError {
  return new ApiStatusError({
    httpCode: 500,
    reason: 'InternalError',
    message,
    details: { causes: [{ message }] },
    cause,
  });
}
