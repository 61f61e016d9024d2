import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf } from './decode-kubernetes-protobuf.js';

function field(number: number, value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
}

describe('decodeKubernetesProtobuf', () => {
  it('decodes a ConfigMap as kubectl create configmap sends it', () => {
    const metadata = field(
      1,
      Buffer.concat([
        field(1, 'marker'),
        field(3, 'default'),
        field(11, Buffer.concat([field(1, 'app'), field(2, 'x')])),
      ]),
    );
    const data = field(2, Buffer.concat([field(1, 'written'), field(2, 'before-backup')]));
    const raw = Buffer.concat([metadata, data]);
    const envelope = Buffer.concat([
      Buffer.from('k8s\0', 'binary'),
      field(1, Buffer.concat([field(1, 'v1'), field(2, 'ConfigMap')])),
      field(2, raw),
    ]);
    expect(decodeKubernetesProtobuf(envelope)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'marker', namespace: 'default', labels: { app: 'x' } },
      data: { written: 'before-backup' },
    });
  });

  it('refuses bodies without the envelope and kinds it cannot decode', () => {
    expect(() => decodeKubernetesProtobuf(Buffer.from('{}'))).toThrowError(/k8s\\0 prefix/);
    const pod = Buffer.concat([
      Buffer.from('k8s\0', 'binary'),
      field(1, Buffer.concat([field(1, 'v1'), field(2, 'Pod')])),
    ]);
    expect(() => decodeKubernetesProtobuf(pod)).toThrowError(/ConfigMap, Secret and Namespace only/);
  });
});
