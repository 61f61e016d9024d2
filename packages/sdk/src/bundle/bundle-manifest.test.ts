import { describe, expect, it } from 'vitest';
import type { BundleError } from './bundle-error.js';
import { bundleFilePath } from './bundle-file-path.js';
import { type BundleManifestInput, bundleManifestSchema } from './bundle-manifest.js';
import { parseBundleManifest } from './parse-bundle-manifest.js';

const sha = 'a'.repeat(64);
const valid: BundleManifestInput = {
  formatVersion: 1,
  tool: { name: 'etcd-dr', version: '0.1.0' },
  createdAt: '2026-11-26T14:00:00.000Z',
  cluster: {
    name: 'user-1',
    topology: 'kubeception',
    ha: false,
    members: [{ name: 'kube-etcd-0', peerUrl: 'https://kube-etcd-0.kube-etcd:2380' }],
  },
  etcd: { version: '3.4.23' },
  snapshot: { revision: 10, totalKeys: 3, hash: 'unhashed' },
  files: [
    { path: 'snapshot.db.age', role: 'snapshot', size: 100, sha256: sha, encryption: 'age' },
    { path: 'objects/etcd-secret.yaml.age', role: 'object', size: 5, sha256: sha, encryption: 'age' },
  ],
};

function parse(value: unknown) {
  try {
    return parseBundleManifest({ text: JSON.stringify(value), bundlePath: '/b/user-1' });
  } catch (error) {
    return error as BundleError;
  }
}

describe('bundleManifestSchema', () => {
  it('accepts a minimal manifest and defaults hostKeys to none', () => {
    const manifest = bundleManifestSchema.parse(valid);
    expect(manifest.hostKeys).toEqual({});
    expect(manifest.restores).toBeUndefined();
  });

  it('rejects unknown fields, since any change to the shape bumps formatVersion', () => {
    expect(bundleManifestSchema.safeParse({ ...valid, extra: true }).success).toBe(false);
  });

  it.each([
    ['a path escaping the bundle', { path: '../snapshot.db' }, 'files.0.path'],
    ['an absolute path', { path: '/etc/passwd' }, 'files.0.path'],
    ['a .age path not marked encrypted', { encryption: 'none' }, 'files.0.encryption'],
    ['an upper-case hash', { sha256: 'A'.repeat(64) }, 'files.0.sha256'],
    ['a negative size', { size: -1 }, 'files.0.size'],
  ])('names the field for %s', (_, change, field) => {
    const files = [{ ...valid.files[0]!, ...change }, valid.files[1]!];
    const error = parse({ ...valid, files });
    expect((error as BundleError).code).toBe('BUNDLE_MANIFEST_INVALID');
    expect((error as BundleError).message).toContain(`field ${field}:`);
  });

  it('requires exactly one snapshot, unique paths, and a node on PKI files', () => {
    const noSnapshot = parse({ ...valid, files: [valid.files[1]] }) as BundleError;
    expect(noSnapshot.message).toContain('needs exactly one file with role snapshot, has 0');
    const duplicate = parse({ ...valid, files: [...valid.files, valid.files[1]] }) as BundleError;
    expect(duplicate.message).toContain('duplicate path objects/etcd-secret.yaml.age');
    const pki = parse({
      ...valid,
      files: [
        ...valid.files,
        { path: 'pki/cp-1.tar', role: 'pki', size: 1, sha256: sha, encryption: 'none' },
      ],
    }) as BundleError;
    expect(pki.message).toContain('field files.2.node: pki and admin-pki files need the node');
  });

  it('validates host key fingerprints and restore reports', () => {
    expect((parse({ ...valid, hostKeys: { 'cp-1': 'MD5:aa' } }) as BundleError).message).toContain(
      'field hostKeys.cp-1: must look like SHA256:',
    );
    const restores = [
      {
        restoredAt: '2026-11-27T01:00:00Z',
        toolVersion: '0.2.0',
        targetCluster: 'user-1',
        outcome: 'succeeded',
      },
    ];
    expect(bundleManifestSchema.parse({ ...valid, restores }).restores).toEqual(restores);
  });
});

describe('parseBundleManifest', () => {
  it('refuses a newer format version with its number and "upgrade etcd-dr", before checking fields', () => {
    const error = parse({ formatVersion: 2, somethingNew: {} }) as BundleError;
    expect(error.code).toBe('BUNDLE_VERSION_UNSUPPORTED');
    expect(error.toLine()).toMatch(/formatVersion 2, this etcd-dr reads up to 1; upgrade etcd-dr/);
    expect(error.bundlePath).toBe('/b/user-1');
  });

  it('calls a missing version and text that is not JSON invalid, in one line', () => {
    const { formatVersion: _formatVersion, ...rest } = valid;
    expect((parse(rest) as BundleError).message).toContain('field formatVersion:');
    let error: BundleError | undefined;
    try {
      parseBundleManifest({ text: '{"formatVersion": 1,', bundlePath: '/b/x' });
    } catch (caught) {
      error = caught as BundleError;
    }
    expect(error?.code).toBe('BUNDLE_MANIFEST_INVALID');
    expect(error?.toLine()).not.toContain('\n');
  });
});

describe('bundleFilePath', () => {
  it('lays out the conventional paths, with .age when encrypted', () => {
    expect(bundleFilePath({ role: 'snapshot' })).toBe('snapshot.db');
    expect(bundleFilePath({ role: 'snapshot', encryption: 'age' })).toBe('snapshot.db.age');
    expect(bundleFilePath({ role: 'admin-pki', node: 'admin-cp' })).toBe('admin/pki/admin-cp.tar');
    expect(bundleFilePath({ role: 'object', name: 'etcd-manifest-cp-1.yaml' })).toBe(
      'objects/etcd-manifest-cp-1.yaml',
    );
    expect(() => bundleFilePath({ role: 'pki', node: '../x' })).toThrow(/single path segment/);
  });
});
