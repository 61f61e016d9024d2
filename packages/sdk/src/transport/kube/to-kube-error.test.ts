import { describe, expect, it } from 'vitest';
import { toKubeError } from './to-kube-error.js';

const operation = { server: 'https://10.0.0.1:443', what: 'list pods in user-1', kubeconfigPath: '/k/admin' };

describe('toKubeError', () => {
  it('maps HTTP answers of the API server to stable codes that name the operation and server', () => {
    const notFound = toKubeError(
      { code: 404, body: '{"message":"pods \\"kube-etcd-0\\" not found"}' },
      operation,
    );
    expect(notFound.code).toBe('KUBE_NOT_FOUND');
    expect(notFound.toLine()).toContain(
      'list pods in user-1 on https://10.0.0.1:443: not found (pods "kube-etcd-0" not found)',
    );
    expect(toKubeError({ code: 401, body: {} }, operation).code).toBe('KUBE_UNAUTHORIZED');
    expect(toKubeError({ code: 401, body: {} }, operation).remedy).toContain('/k/admin');
    const unavailable = toKubeError(
      { code: 500, body: { message: 'etcdserver: request timed out' } },
      operation,
    );
    expect([unavailable.code, unavailable.isRetryable]).toEqual(['KUBE_API_ERROR', true]);
  });

  it('maps socket errors, also when wrapped as a cause, to KUBE_UNREACHABLE', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const wrapped = new Error('request to https://10.0.0.1 failed', { cause: refused });
    const error = toKubeError(wrapped, operation);
    expect(error.code).toBe('KUBE_UNREACHABLE');
    expect(error.isRetryable).toBe(true);
  });
});
