import { describe, expect, it } from 'vitest';
import { syncEndpoints } from '../../src/cli/sync-endpoints.js';
import type { TlsMaterial } from '../../src/transport/index.js';

const NODE_TLS: TlsMaterial = {
  cert: Buffer.from('cert'), key: Buffer.from('key'), ca: Buffer.from('ca'), domain: 'localhost',
};

describe('syncEndpoints: how --sync-target URLs are dialled', () => {
  it("the guide's http:// URL is plaintext on a node without TLS", () => {
    expect(syncEndpoints(['http://10.0.0.10:8000'], null, null)).toEqual({ addresses: ['10.0.0.10:8000'], tls: null });
  });

  it('a URL without a port names 8000; an explicit default port is kept', () => {
    expect(syncEndpoints(['http://cloud', 'http://cloud:80'], null, null).addresses).toEqual(['cloud:8000', 'cloud:80']);
    expect(syncEndpoints(['https://cloud', 'https://cloud:443', 'https://[::1]:8443'], null, null).addresses)
      .toEqual(['cloud:8000', 'cloud:443', '[::1]:8443']);
  });

  it('https:// without CHRONOS_TLS_* trusts the system roots and presents no certificate', () => {
    expect(syncEndpoints(['https://cloud.example.com:8000'], null, null).tls)
      .toEqual({ ca: null, cert: null, key: null, domain: null });
  });

  it("https:// takes the node's CA and certificate (mTLS); the name checked is CHRONOS_TLS_DOMAIN, the host, or localhost for an IP", () => {
    // The guide's certificates name localhost, as the guide's default domain says: IP targets check it.
    expect(syncEndpoints(['https://10.0.0.10:8000', 'https://[::1]:8001'], NODE_TLS, null).tls)
      .toEqual({ ca: NODE_TLS.ca, cert: NODE_TLS.cert, key: NODE_TLS.key, domain: 'localhost' });
    expect(syncEndpoints(['https://cloud.example.com:8000'], NODE_TLS, null).tls?.domain).toBe(null);
    expect(syncEndpoints(['https://10.0.0.10:8000'], NODE_TLS, 'cloud.internal').tls?.domain).toBe('cloud.internal');
  });

  it('refuses http:// on a node with TLS set up, naming the https:// form', () => {
    expect(() => syncEndpoints(['http://a:8000', 'http://b:8001'], NODE_TLS, null))
      .toThrow('--sync-target http://a:8000,http://b:8001 is plaintext, but this node has TLS set up');
    expect(() => syncEndpoints(['http://a:8000'], NODE_TLS, null)).toThrow('give --sync-target https://a:8000');
  });

  it('refuses a cluster list mixing schemes', () => {
    expect(() => syncEndpoints(['https://a:8000', 'http://b:8001'], null, null)).toThrow(/mixes http:\/\/ and https:\/\//);
  });
});
