import { ApiStatusError } from '../api-status-error.js';

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

function patchError(message: string): ApiStatusError {
  return new ApiStatusError({ httpCode: 422, reason: 'Invalid', message });
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw patchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(document: unknown, tokens: string[], path: string): { parent: Container; last: string } {
  let current: unknown = document;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (current && typeof current === 'object') current = (current as Record<string, unknown>)[token];
    else current = undefined;
    if (current === undefined) throw patchError(`doc is missing path: "${path}": missing value`);
  }
  if (!current || typeof current !== 'object') throw patchError(`doc is missing path: "${path}"`);
  return { parent: current as Container, last: tokens[tokens.length - 1]! };
}

function read(document: unknown, path: string): unknown {
  let current: unknown = document;
  for (const token of pointer(path)) {
    current = Array.isArray(current)
      ? current[Number(token)]
      : (current as Record<string, unknown> | undefined)?.[token];
    if (current === undefined) throw patchError(`doc is missing path: "${path}": missing value`);
  }
  return current;
}

function add(document: unknown, path: string, value: unknown): unknown {
  const tokens = pointer(path);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(document, tokens, path);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw patchError(`add operation does not apply: index ${last} out of bounds at "${path}"`);
    }
    parent.splice(index, 0, value);
  } else {
    parent[last] = value;
  }
  return document;
}

function remove(document: unknown, path: string): unknown {
  const tokens = pointer(path);
  const { parent, last } = parentOf(document, tokens, path);
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!(index >= 0 && index < parent.length))
      throw patchError(`remove operation does not apply: "${path}"`);
    parent.splice(index, 1);
  } else {
    if (!Object.hasOwn(parent, last)) {
      throw patchError(`remove operation does not apply: doc is missing path: "${path}"`);
    }
    delete parent[last];
  }
  return document;
}

/** Applies an RFC 6902 JSON patch to a copy of `document`. Failures are 422 `Invalid` Statuses. */
export function applyJsonPatch(options: { document: unknown; operations: JsonPatchOperation[] }): unknown {
  if (!Array.isArray(options.operations)) throw patchError('json patch must be an array of operations');
  let document: unknown = structuredClone(options.document);
  for (const operation of options.operations) {
    switch (operation.op) {
      case 'add':
        document = add(document, operation.path, structuredClone(operation.value));
        break;
      case 'remove':
        document = remove(document, operation.path);
        break;
      case 'replace':
        read(document, operation.path);
        document = remove(document, operation.path);
        document = add(document, operation.path, structuredClone(operation.value));
        break;
      case 'move': {
        const value = read(document, operation.from ?? '');
        document = remove(document, operation.from ?? '');
        document = add(document, operation.path, value);
        break;
      }
      case 'copy':
        document = add(document, operation.path, structuredClone(read(document, operation.from ?? '')));
        break;
      case 'test':
        if (JSON.stringify(read(document, operation.path)) !== JSON.stringify(operation.value)) {
          throw patchError(`testing value ${operation.path} failed: test failed`);
        }
        break;
      default:
        throw patchError(`Unexpected kind: ${String((operation as { op: unknown }).op)}`);
    }
  }
  return document;
}
