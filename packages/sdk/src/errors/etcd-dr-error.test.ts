import { describe, expect, it } from 'vitest';
import { EtcdDrError } from './etcd-dr-error.js';

class OtherCopyError extends Error {
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, Symbol.for('etcd-dr.error'), { value: true });
  }
}

describe('EtcdDrError', () => {
  it('formats a single line with code, message and remedy', () => {
    const error = new EtcdDrError({
      code: 'X_FAILED',
      message: 'x failed on node a',
      remedy: 'check node a',
    });
    expect(error.toLine()).toBe('X_FAILED: x failed on node a; check node a');
    expect(error.toLine()).not.toContain('\n');
  });

  it('recognises errors from another bundled copy by the global marker, not by instanceof', () => {
    expect(EtcdDrError.isInstance(new OtherCopyError('from another bundle'))).toBe(true);
    expect(EtcdDrError.isInstance(new Error('plain'))).toBe(false);
    expect(EtcdDrError.isInstance(undefined)).toBe(false);
  });

  it('serialises to JSON without the cause', () => {
    const error = new EtcdDrError({ code: 'Y', message: 'm', cause: new Error('secret detail') });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'EtcdDrError',
      code: 'Y',
      message: 'm',
      isRetryable: false,
    });
  });
});
