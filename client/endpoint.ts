/**
 * Server addresses as image_client.py takes them ("10.0.0.30:30800", no scheme) or as
 * full URLs ("http://host:8000").
 */
import { UsageError } from './errors';

/** Base URL without a trailing slash, e.g. "http://10.0.0.30:30800". */
export function baseUrlOf(address: string, what = '--url'): string {
  const trimmed = address.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`${what} "${address}" is not a server address; give host:port such as "10.0.0.30:30800"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what} "${address}" uses ${url.protocol}; only http:// (Triton's HTTP/REST port) is supported`);
  }
  if (url.hostname === '') {
    throw new UsageError(`${what} "${address}" has no host; give host:port such as "10.0.0.30:30800"`);
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
