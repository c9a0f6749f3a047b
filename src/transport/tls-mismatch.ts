import { assert } from '../lib/index.js';

/**
 * What a client sets to talk to a node that serves TLS (SPEC §7). Every command that explains
 * a TLS problem says it in these words, so they cannot drift apart.
 */
export const TLS_CLIENT_SETTINGS = "set CHRONOS_TLS_CA_CERT to the CA that signed the node's " +
  'certificate (and CHRONOS_TLS_CERT/CHRONOS_TLS_KEY under mTLS)';

/** One way a TLS connection fails, the side it applies to, and what the user reads. */
interface TlsSymptom {
  readonly dialledTls: boolean;
  readonly pattern: RegExp;
  readonly reason: string;
  /**
   * False for a node that closed the connection without a word: a proxy with no node behind
   * it, or a node dying at that moment, does the same (tls-probe.ts tells them apart).
   */
  readonly certain: boolean;
}

/** A failed connection read as a TLS mismatch: what the user reads, and whether it is sure. */
export interface TlsMismatch {
  readonly reason: string;
  readonly certain: boolean;
}

// Matched against grpc-js's "Last error" text and Node's https error code and message, as
// they read in real runs (grpc-js 1.14, Node 20): see test/security/tls-mismatch.test.ts.
const SYMPTOMS: readonly TlsSymptom[] = [
  {
    // A TLS server drops a plaintext client without a word: grpc-js "Failed to connect",
    // Node http ECONNRESET "socket hang up".
    certain: false,
    dialledTls: false,
    pattern: /Failed to connect|socket hang up/i,
    reason: 'the node closed the connection without answering, as a TLS node does to a ' +
      `plaintext client: likely a TLS mismatch; ${TLS_CLIENT_SETTINGS}`,
  },
  {
    // Under TLS 1.3 a node refuses a client certificate after the client's side of the
    // handshake is done, so the client too sees only a closed connection.
    certain: false,
    dialledTls: true,
    pattern: /Failed to connect|socket hang up/i,
    reason: 'the node closed the connection without answering, as an mTLS node does to a client ' +
      'certificate it does not trust: likely a TLS mismatch; set CHRONOS_TLS_CERT and ' +
      "CHRONOS_TLS_KEY to a certificate signed by the node's CA",
  },
  {
    certain: true,
    dialledTls: true,
    pattern: /wrong version number|EPROTO|packet length too long|http request/i,
    reason: 'the node answered in plaintext to TLS (CHRONOS_TLS_CA_CERT is set): a TLS ' +
      'mismatch; unset CHRONOS_TLS_CA_CERT, or start the node with CHRONOS_TLS_CERT and CHRONOS_TLS_KEY',
  },
  {
    certain: true,
    dialledTls: true,
    pattern: /certificate required|CERTIFICATE_REQUIRED/i,
    reason: 'the node requires a client certificate (mTLS): set CHRONOS_TLS_CERT and ' +
      "CHRONOS_TLS_KEY to a certificate signed by the node's CA",
  },
  {
    certain: true,
    dialledTls: true,
    pattern: /alert (unknown ca|bad certificate)|UNKNOWN_CA|BAD_CERTIFICATE/i,
    reason: "the node refused this client's certificate (CHRONOS_TLS_CERT): a TLS mismatch; " +
      "use a certificate signed by the node's CA",
  },
  {
    certain: true,
    dialledTls: true,
    pattern: /unable to verify|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|self[- _]signed|certificate verify failed/i,
    reason: "the node's certificate is not signed by the CA in CHRONOS_TLS_CA_CERT: a TLS " +
      "mismatch; set CHRONOS_TLS_CA_CERT to the CA that signed the node's certificate",
  },
  {
    certain: true,
    dialledTls: true,
    pattern: /ALTNAME|does not match certificate/i,
    reason: "the node's certificate does not name the host checked (CHRONOS_TLS_DOMAIN, default " +
      'localhost): a TLS mismatch; set CHRONOS_TLS_DOMAIN to a name the certificate holds',
  },
];

/**
 * A failed connection's text read as a TLS problem, saying what to set; null when it does not
 * look like one. `dialledTls` tells which side the client was on: the same silence means
 * "the node wants TLS" to a plaintext client and nothing in particular to a TLS one.
 */
export function tlsMismatchReason(failure: string, dialledTls: boolean): string | null {
  return tlsMismatch(failure, dialledTls)?.reason ?? null;
}

/** `tlsMismatchReason` with whether the text alone proves the mismatch; null when not one. */
export function tlsMismatch(failure: string, dialledTls: boolean): TlsMismatch | null {
  const symptom = SYMPTOMS.find((s) => s.dialledTls === dialledTls && s.pattern.test(failure));
  return symptom === undefined ? null : { reason: symptom.reason, certain: symptom.certain };
}

/**
 * What the user reads once a probe showed that the node's silence was TLS: the first symptom
 * of the client's side, the silent close, is the one a probe confirms.
 */
export function confirmedSilenceReason(dialledTls: boolean): string {
  const symptom = SYMPTOMS.find((s) => s.dialledTls === dialledTls && !s.certain);
  assert(symptom !== undefined, 'each side has a silent-close symptom');
  return symptom.reason;
}

/**
 * True when grpc-js says the node closed the connection before any HTTP/2 came back: no
 * connection was established, and the last error is a clean close ("Failed to connect",
 * "socket hang up") or a reset. An mTLS node refusing a certificate under TLS 1.3 does
 * either, at random; so does a proxy with nothing behind it.
 */
export function closedUnanswered(failure: string): boolean {
  return /No connection established/i.test(failure) &&
    /Failed to connect|socket hang up|read ECONNRESET/i.test(failure);
}
