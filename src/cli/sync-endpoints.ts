import { isIP } from 'node:net';
import { DEFAULT_TLS_DOMAIN } from '../transport/index.js';
import type { TlsMaterial } from '../transport/index.js';
import { UsageError } from './usage-error.js';

/** The gRPC port a target URL without a port names: a node's default (`--address`). */
const TARGET_PORT_DEFAULT = 8000;

/** The edge's sync targets as dialled: gRPC addresses, and the TLS they are reached with. */
export interface SyncEndpoints {
  /** host:port of each target node, in the order given. */
  readonly addresses: readonly string[];
  /** Material the links dial with; null = plaintext (http:// targets). */
  readonly tls: TlsMaterial | null;
}

/**
 * The host:port a URL names. `new URL` drops a scheme's default port (https://h:443 gives
 * port ''), so an explicit port is read from the text: only a URL without one means 8000.
 */
function grpcAddress(text: string): string {
  const url = new URL(text);
  const written = /^[a-z]+:\/\/(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^/?#:]*):(\d+)/i.exec(text)?.[1];
  const port = url.port !== '' ? url.port : written ?? String(TARGET_PORT_DEFAULT);
  return `${url.hostname}:${port}`;
}

/**
 * Decides how an edge dials `--sync-target` from the URLs' scheme: https:// is TLS, http://
 * plaintext. The node's CHRONOS_TLS_* files serve its own ports and make it a TLS client
 * (of peers and targets) in one go, so an http:// target on a node with TLS set up is a
 * contradiction: it would send rows and the admin token in the clear, and is refused here.
 * `domainFromEnv` is CHRONOS_TLS_DOMAIN as set (null when unset): without it the target's
 * certificate is checked against the URL's host name, as any https client does, or against
 * localhost (DEFAULT_TLS_DOMAIN) when the URLs give IP addresses.
 */
export function syncEndpoints(
  urls: readonly string[], nodeTls: TlsMaterial | null, domainFromEnv: string | null,
): SyncEndpoints {
  const schemes = new Set(urls.map((url) => new URL(url).protocol));
  if (schemes.size > 1) {
    throw new UsageError(`--sync-target mixes http:// and https:// URLs (${urls.join(',')}); ` +
      'the members of one cloud cluster are reached the same way: write them all https:// or all http://');
  }
  const addresses = urls.map(grpcAddress);
  if (!schemes.has('https:')) {
    if (nodeTls !== null) throw plaintextOnTlsNode(urls);
    return { addresses, tls: null };
  }
  // An IP address names no certificate here: the guide's certificates name localhost, and the
  // node's other clients (peers, `chronos client`) check that name too.
  const byAddress = urls.every((url) => isIP(new URL(url).hostname.replace(/^\[|\]$/g, '')) !== 0);
  const tls: TlsMaterial = {
    ca: nodeTls?.ca ?? null,
    cert: nodeTls?.cert ?? null,
    key: nodeTls?.key ?? null,
    domain: domainFromEnv ?? (byAddress ? DEFAULT_TLS_DOMAIN : null),
  };
  return { addresses, tls };
}

function plaintextOnTlsNode(urls: readonly string[]): UsageError {
  const secure = urls.map((url) => url.replace(/^http:/i, 'https:')).join(',');
  return new UsageError(`--sync-target ${urls.join(',')} is plaintext, but this node has TLS set up ` +
    '(CHRONOS_TLS_CERT/CHRONOS_TLS_KEY): rows and the admin token would cross to the target unencrypted; ' +
    `give --sync-target ${secure} (the target must serve TLS)`);
}
