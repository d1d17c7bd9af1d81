/**
 * Server addresses as image_client.py takes them ("10.0.0.30:30800", no scheme) or as
 * full URLs ("http://host:8000").
 */
import { UsageError } from './errors';

const EXAMPLE = 'give host:port such as "10.0.0.31:30800" (the NodePort) or "localhost:8000"';

/**
 * Base URL without a trailing slash, e.g. "http://10.0.0.30:30800".
 *
 * Credentials are refused before anything else, and the message never echoes the address:
 * Triton's HTTP endpoint takes none, this client would not send them, and the address is
 * printed in tables and written into every report (issue 20.4). Any "@" counts, wherever
 * the URL parser would put it ("user:pa/ss@host" parses as a path), and so do the full-width
 * and small forms that IDNA maps to "@" (the host is then refused, and was echoed). A query or fragment is
 * refused the same way: a base URL has no use for one, and it is where tokens travel.
 */
export function baseUrlOf(address: string, what = '-u/--url'): string {
  if (/[@\uff20\ufe6b]/.test(address)) {
    throw new UsageError(`${what}: holds a user name or password ("user:password@"); Triton's HTTP endpoint takes none and this client sends none, ` +
      `so the address is refused without being echoed; ${EXAMPLE}`);
  }
  if (/[?#]/.test(address)) {
    throw new UsageError(`${what}: holds a query ("?") or fragment ("#"), which a Triton base URL has no use for (and where tokens travel), ` +
      `so the address is refused without being echoed; ${EXAMPLE}`);
  }
  const trimmed = address.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  // The port, checked before URL parsing so the message can say what is wrong with it
  // (Node's URL parser and fetch only say "Invalid URL").
  const authority = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?/i.exec(withScheme);
  const port = authority?.[2];
  if (port !== undefined) {
    if (!/^\d+$/.test(port)) {
      throw new UsageError(`${what} "${address}": port "${port}" is not a number; ${EXAMPLE}`);
    }
    if (Number(port) < 1 || Number(port) > 65535) {
      throw new UsageError(`${what} "${address}": port ${port} is not a TCP port (1-65535); ${EXAMPLE}`);
    }
  }
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`${what} "${address}" is not a server address; ${EXAMPLE}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what} "${address}" uses ${url.protocol}; only http:// (Triton's HTTP/REST port) is supported; ${EXAMPLE}`);
  }
  if (url.hostname === '') {
    throw new UsageError(`${what} "${address}" has no host; ${EXAMPLE}`);
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** The same host with another port (Triton's metrics port is its own listener). */
export function withPort(baseUrl: string, port: number): string {
  const url = new URL(baseUrl);
  url.port = String(port);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** The port of a base URL, with the scheme's default when none is written. */
export function portOf(baseUrl: string): number {
  const url = new URL(baseUrl);
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}
