import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderKubeconfig } from './kubeconfig.js';

describe('renderKubeconfig', () => {
  it('inlines the CA and the client certificate as base64 in one context', () => {
    const config = parse(
      renderKubeconfig({
        clusterName: 'admin',
        server: 'https://127.0.0.1:6443',
        certificateAuthorityPem: 'CA PEM',
        credentials: { clientCertificatePem: 'CERT PEM', clientKeyPem: 'KEY PEM' },
        namespace: 'kube-system',
      }),
    );
    expect(config['current-context']).toBe('admin');
    expect(config.clusters[0].cluster).toEqual({
      server: 'https://127.0.0.1:6443',
      'certificate-authority-data': Buffer.from('CA PEM').toString('base64'),
    });
    expect(config.users[0]).toEqual({
      name: 'admin-admin',
      user: {
        'client-certificate-data': Buffer.from('CERT PEM').toString('base64'),
        'client-key-data': Buffer.from('KEY PEM').toString('base64'),
      },
    });
    expect(config.contexts[0].context).toEqual({
      cluster: 'admin',
      user: 'admin-admin',
      namespace: 'kube-system',
    });
  });

  it('carries a bearer token instead when asked', () => {
    const config = parse(
      renderKubeconfig({
        clusterName: 'user1',
        server: 'https://127.0.0.1:1',
        certificateAuthorityPem: 'CA',
        userName: 'operator',
        credentials: { token: 'abc.def' },
      }),
    );
    expect(config.users[0]).toEqual({ name: 'operator', user: { token: 'abc.def' } });
    expect(config.contexts[0].context.namespace).toBeUndefined();
  });
});
