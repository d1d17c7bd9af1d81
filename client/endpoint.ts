/**
 * Server addresses as image_client.py takes them ("10.0.0.30:30800", no scheme) or as
 * full URLs ("http://host:8000").
 */
import { UsageError } from './errors';

const EXAMPLE = 'give host:port such as "10.0.0.30:30800" (the NodePort) or "localhost:8000"';

/** Base URL without a trailing slash, e.g. "http://10.0.0.30:30800". */
export function baseUrlOf(address: string, what = '-u/--url'): string {
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
