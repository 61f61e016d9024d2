import { describe, expect, it } from 'vitest';
import { renderOpensslConfig } from './openssl-config.js';

describe('renderOpensslConfig', () => {
  it('makes a CA a CA and nothing else', () => {
    const text = renderOpensslConfig({ commonName: 'etcd-ca', usage: 'ca' });
    expect(text).toContain('CN = etcd-ca');
    expect(text).toContain('basicConstraints = critical, CA:true');
    expect(text).not.toContain('extendedKeyUsage');
    expect(text).not.toContain('subjectAltName');
  });

  it('writes organizations, both TLS roles for a peer, and DNS and IP names', () => {
    const text = renderOpensslConfig({
      commonName: 'kube-etcd-0',
      organizations: ['system:masters', 'lab'],
      dnsNames: ['kube-etcd-0.kube-etcd', 'localhost'],
      ipAddresses: ['127.0.0.1', '10.213.4.7'],
      usage: 'peer',
    });
    expect(text).toContain('0.O = system:masters\n1.O = lab\nCN = kube-etcd-0');
    expect(text).toContain('extendedKeyUsage = serverAuth, clientAuth');
    expect(text).toContain(
      'subjectAltName = DNS:kube-etcd-0.kube-etcd, DNS:localhost, IP:127.0.0.1, IP:10.213.4.7',
    );
    expect(text).toContain('basicConstraints = critical, CA:false');
  });

  it('keeps a client certificate to clientAuth and escapes what openssl would expand', () => {
    const text = renderOpensslConfig({ commonName: 'price$HOME', usage: 'client' });
    expect(text).toContain('CN = price\\$HOME');
    expect(text).toContain('extendedKeyUsage = clientAuth\n');
  });

  it('refuses names that would inject configuration or are not addresses', () => {
    expect(() => renderOpensslConfig({ commonName: 'a\n[ext]', usage: 'client' })).toThrow(/common name/);
    expect(() =>
      renderOpensslConfig({ commonName: 'a', dnsNames: ['a, IP:1.2.3.4'], usage: 'server' }),
    ).toThrow(/DNS name/);
    expect(() =>
      renderOpensslConfig({ commonName: 'a', ipAddresses: ['10.0.0.300'], usage: 'server' }),
    ).toThrow(/IP address/);
  });
});
