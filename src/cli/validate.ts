import { UsageError } from './usage-error.js';

/** A `HOST:PORT` address; an IPv6 host is written in brackets (`[::1]:8000`). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** A cluster member named on the command line (`node2=10.0.0.2:8001`). */
export interface PeerAddress {
  readonly id: string;
  readonly address: HostPort;
}

/** The largest integer a count or interval flag accepts (keeps timers within Node's range). */
const COUNT_MAX = 2_000_000;
const NODE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Parses `HOST:PORT` for `flag`, with the port in [1, portMax]. */
export function parseHostPort(flag: string, text: string, portMax = 65535): HostPort {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    host = close === -1 ? '' : text.slice(1, close);
    portText = close === -1 || text[close + 1] !== ':' ? '' : text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    host = colon === -1 ? '' : text.slice(0, colon);
    portText = colon === -1 ? '' : text.slice(colon + 1);
    if (host.includes(':')) host = ''; // a bare IPv6 address is ambiguous
  }
  if (host === '' || !/^\d+$/.test(portText)) {
    throw new UsageError(`${flag} '${text}' is not HOST:PORT (e.g. 127.0.0.1:8000)`);
  }
  const port = Number(portText);
  if (port < 1 || port > portMax) {
    throw new UsageError(`${flag} '${text}': port must be between 1 and ${portMax}`);
  }
  return { host, port };
}

/** `host:port`, bracketing an IPv6 host. */
export function formatHostPort(address: HostPort): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}

/** Parses a node id: it names a directory, so letters, digits, `_`, `.`, `-` only. */
export function parseNodeId(flag: string, text: string): string {
  if (!NODE_ID_PATTERN.test(text)) {
    throw new UsageError(
      `${flag} '${text}' is not a valid node id (1-64 letters, digits, '_', '.', '-'; ` +
      'starting with a letter or digit)');
  }
  return text;
}

/** Parses `id=HOST:PORT,...` (no duplicate ids). */
export function parsePeers(flag: string, text: string): PeerAddress[] {
  const peers: PeerAddress[] = [];
  for (const item of text.split(',')) {
    const eq = item.indexOf('=');
    if (eq === -1) throw new UsageError(`${flag}: '${item}' is not id=HOST:PORT`);
    const id = parseNodeId(flag, item.slice(0, eq).trim());
    if (peers.some((p) => p.id === id)) throw new UsageError(`${flag}: node '${id}' listed twice`);
    peers.push({ id, address: parseHostPort(`${flag} ${id}`, item.slice(eq + 1).trim()) });
  }
  return peers;
}

/** Parses a decimal integer in [min, COUNT_MAX]. */
export function parseCount(flag: string, text: string, min: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > COUNT_MAX) {
    throw new UsageError(`${flag} '${text}' must be an integer from ${min} to ${COUNT_MAX}`);
  }
  return value;
}

/** Parses one or more comma-separated http(s) URLs, each naming a host. */
export function parseUrls(flag: string, text: string): string[] {
  return text.split(',').map((item) => {
    const trimmed = item.trim();
    const refuse = (): UsageError => new UsageError(
      `${flag} '${trimmed}' must be an http:// or https:// URL with a host ` +
      '(e.g. http://10.0.0.10:8000)');
    if (!/^https?:\/\//i.test(trimmed)) throw refuse();
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw refuse();
    }
    if (url.hostname === '') throw refuse();
    return trimmed;
  });
}

/** Rejects an empty value, which would otherwise mean "the current directory" silently. */
export function nonEmpty(flag: string, text: string): string {
  if (text.trim() === '') throw new UsageError(`${flag} must not be empty`);
  return text;
}
