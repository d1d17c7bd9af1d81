/**
 * What a kubeconfig is, checked before anything is merged into or taken from one:
 * - the user's kubeconfig must look like one (apiVersion v1, kind Config, lists of named
 *   entries), so that another YAML file (cluster.yaml, say) is never rewritten as one;
 * - the server's k3s.yaml is a board's answer: only what K3s writes there is taken — the
 *   cluster CA, and client certificate and key (or a token) — and anything else (an exec
 *   credential plugin, auth-provider, proxy-url, insecure-skip-tls-verify, a file path, a
 *   second cluster...) is refused in one line naming the field, before anything is written.
 * The server URL is never the board's: the caller gives it.
 */
import { parseBoundedYaml } from '../../lib/config/bounded-yaml';
import { oneLine } from '../../lib/config/issues';

export type Named = { name: string; [key: string]: unknown };

export interface Kubeconfig {
  apiVersion?: string;
  kind?: string;
  clusters?: Named[];
  users?: Named[];
  contexts?: Named[];
  'current-context'?: string;
  [key: string]: unknown;
}

/** A kubeconfig (or k3s.yaml) that cannot be used; the message names it and the field. */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

/** Top-level keys of a kubeconfig (k8s.io/client-go/tools/clientcmd/api/v1, Config). */
const KUBECONFIG_KEYS = new Set(['apiVersion', 'kind', 'clusters', 'users', 'contexts', 'current-context', 'preferences', 'extensions']);
const LISTS = ['clusters', 'users', 'contexts'] as const;
/** Largest base64 field taken from k3s.yaml (a CA or client certificate is about 1 KB). */
const MAX_PEM_FIELD = 64 * 1024;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

const field = (key: string) => oneLine(key, 60);

/**
 * Parses `text` as a kubeconfig (`what` names it in messages): bounded YAML, a mapping
 * whose keys are a kubeconfig's, `clusters`/`users`/`contexts` lists of entries with a
 * name. An empty text is an empty kubeconfig.
 */
export function parseKubeconfig(text: string, what: string): Kubeconfig {
  const parsed = parseBoundedYaml(text);
  if (!parsed.ok) throw new KubeconfigError(`${what} is not valid YAML: ${parsed.issues[0]}`);
  const doc = parsed.value;
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new KubeconfigError(`${what} is not a kubeconfig: it is ${kindOf(doc)}, not a mapping with apiVersion: v1 and kind: Config; check the path`);
  }
  const config = doc as Kubeconfig;
  const stranger = Object.keys(config).find((k) => !KUBECONFIG_KEYS.has(k));
  if (stranger !== undefined) {
    throw new KubeconfigError(`${what} is not a kubeconfig: it has a top-level "${field(stranger)}" key (a kubeconfig has apiVersion, kind, clusters, users, contexts, current-context and preferences); check the path`);
  }
  if (config.kind !== undefined && config.kind !== 'Config') {
    throw new KubeconfigError(`${what} is not a kubeconfig: kind is "${field(String(config.kind))}", not "Config"; check the path`);
  }
  if (config.apiVersion !== undefined && config.apiVersion !== 'v1') {
    throw new KubeconfigError(`${what}: apiVersion is "${field(String(config.apiVersion))}"; kubeconfigs are apiVersion v1`);
  }
  for (const list of LISTS) {
    const value = config[list];
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value)) throw new KubeconfigError(`${what}: ${list} must be a list of entries, but it is ${kindOf(value)}; fix or remove it`);
    value.forEach((entry: unknown, i) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || typeof (entry as Named).name !== 'string') {
        throw new KubeconfigError(`${what}: ${list}[${i}] must be a mapping with a name, but it is ${kindOf(entry)}${typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? ' without a name' : ''}; fix or remove it`);
      }
    });
  }
  if (config['current-context'] !== undefined && config['current-context'] !== null && typeof config['current-context'] !== 'string') {
    throw new KubeconfigError(`${what}: current-context must be a context name, but it is ${kindOf(config['current-context'])}`);
  }
  return config;
}

/** What a K3s server's k3s.yaml legitimately holds, per entry. */
const CLUSTER_FIELDS: Readonly<Record<string, 'pem-certificate' | 'ignored'>> = {
  'certificate-authority-data': 'pem-certificate',
  // Always https://127.0.0.1:6443 on the server; replaced by the caller's URL.
  server: 'ignored',
};
const USER_FIELDS: Readonly<Record<string, 'pem-certificate' | 'pem-key' | 'token'>> = {
  'client-certificate-data': 'pem-certificate',
  'client-key-data': 'pem-key',
  token: 'token',
};

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PEM_BLOCK = (label: string) => new RegExp(`^-----BEGIN ${label}-----\\r?\\n[A-Za-z0-9+/=\\r\\n]+-----END ${label}-----\\r?\\n?`);
const CERTIFICATE = PEM_BLOCK('CERTIFICATE');
const PRIVATE_KEY = PEM_BLOCK('(?:EC |RSA )?PRIVATE KEY');
const BEARER_TOKEN = /^[A-Za-z0-9._~+/=:-]{1,4096}$/;

/** Why `value` cannot be the field (of the given form), or undefined. */
function valueProblem(value: unknown, form: 'pem-certificate' | 'pem-key' | 'token'): string | undefined {
  if (typeof value !== 'string') return `is ${kindOf(value)}, not a string`;
  if (form === 'token') return BEARER_TOKEN.test(value) ? undefined : 'is not a bearer token (letters, digits and ". _ ~ + / = : -", one line)';
  if (value.length > MAX_PEM_FIELD) return `is ${value.length} characters long; a certificate or key is a few KB`;
  if (!BASE64.test(value)) return 'is not base64 data';
  const pem = Buffer.from(value, 'base64').toString('latin1');
  const pattern = form === 'pem-key' ? PRIVATE_KEY : CERTIFICATE;
  // One or more blocks of the expected kind, nothing else (a CA bundle may hold several).
  let rest = pem;
  while (rest !== '') {
    const block = pattern.exec(rest);
    if (!block) return `does not hold ${form === 'pem-key' ? 'a PEM private key' : 'PEM certificates'} only`;
    rest = rest.slice(block[0].length);
  }
  return undefined;
}

/** The one entry of `list` in k3s.yaml, checked against what K3s writes there. */
function onlyEntry(config: Kubeconfig, list: 'clusters' | 'users', body: 'cluster' | 'user', what: string): Record<string, unknown> {
  const entries = config[list] ?? [];
  if (entries.length !== 1) {
    throw new KubeconfigError(`refusing ${what}: it has ${entries.length} ${list} (K3s writes exactly one); nothing was written to the kubeconfig`);
  }
  const value = entries[0][body];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KubeconfigError(`refusing ${what}: ${list}[0].${body} is ${kindOf(value)}, not a mapping; nothing was written to the kubeconfig`);
  }
  const extra = Object.keys(entries[0]).find((k) => k !== 'name' && k !== body);
  if (extra !== undefined) {
    throw new KubeconfigError(`refusing ${what}: ${list}[0].${field(extra)} is not something K3s writes; nothing was written to the kubeconfig`);
  }
  return value as Record<string, unknown>;
}

/**
 * The CA of the cluster entry and the credentials of the user entry of a K3s server's
 * k3s.yaml, after checking that they are all it holds. Throws a KubeconfigError naming the
 * first field K3s does not write (e.g. `users[0].user.exec`), never its value.
 */
export function k3sCredentials(k3sYaml: string, what: string): { readonly cluster: Record<string, string>; readonly user: Record<string, string> } {
  let config: Kubeconfig;
  try {
    config = parseKubeconfig(k3sYaml, what);
  } catch (err) {
    const message = (err as Error).message.replace(/; (fix or remove it|check the path)$/, '');
    throw new KubeconfigError(`refusing ${message}; nothing was written to the kubeconfig`);
  }
  const cluster = onlyEntry(config, 'clusters', 'cluster', what);
  const user = onlyEntry(config, 'users', 'user', what);
  const take = (body: Record<string, unknown>, allowed: Readonly<Record<string, string>>, path: string): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(body)) {
      // Own keys only: "constructor" or "__proto__" from the board is no allowed field.
      const form = Object.hasOwn(allowed, key) ? allowed[key] : undefined;
      if (form === undefined) {
        throw new KubeconfigError(`refusing ${what}: ${path}.${field(key)} is not something K3s writes there (only ${Object.keys(allowed).join(', ')}); nothing was written to the kubeconfig`);
      }
      if (form === 'ignored') continue;
      const problem = valueProblem(value, form as 'pem-certificate' | 'pem-key' | 'token');
      if (problem) throw new KubeconfigError(`refusing ${what}: ${path}.${key} ${problem}; nothing was written to the kubeconfig`);
      out[key] = value as string;
    }
    return out;
  };
  const ca = take(cluster, CLUSTER_FIELDS, 'clusters[0].cluster');
  const credentials = take(user, USER_FIELDS, 'users[0].user');
  if (ca['certificate-authority-data'] === undefined) {
    throw new KubeconfigError(`refusing ${what}: clusters[0].cluster has no certificate-authority-data (K3s always writes its CA there); nothing was written to the kubeconfig`);
  }
  const certificate = credentials['client-certificate-data'] !== undefined && credentials['client-key-data'] !== undefined;
  const halfCertificate = (credentials['client-certificate-data'] === undefined) !== (credentials['client-key-data'] === undefined);
  if (halfCertificate || (certificate ? credentials.token !== undefined : credentials.token === undefined)) {
    throw new KubeconfigError(`refusing ${what}: users[0].user must hold client-certificate-data with client-key-data, or a token (what K3s writes); nothing was written to the kubeconfig`);
  }
  return { cluster: ca, user: credentials };
}
