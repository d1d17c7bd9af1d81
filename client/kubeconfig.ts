/**
 * The user's kubeconfig, read for `verify --wait` (client/rollout.ts). A kubeconfig is hostile
 * input: it is read with bounded reads of regular files only, parsed with YAML alias and size
 * limits, and only what a read-only status request needs is honoured — the API server's https
 * URL, its CA, a client certificate and key, a bearer token (or token file), the TLS server
 * name. Credential plugins (`exec`), `auth-provider`, basic auth, impersonation, proxies and
 * `insecure-skip-tls-verify` are refused with a line saying so: nothing named in a kubeconfig
 * is ever run, and TLS is never turned off.
 */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseBoundedYaml } from '../lib/config/bounded-yaml';
import { LocalFileError, printablePath, readLocalFile } from '../lib/local-file';

/** Largest kubeconfig read (K3s's own is about 3 KB; a merged one with dozens of clusters well under this). */
export const MAX_KUBECONFIG_BYTES = 1024 * 1024;
/** Largest CA bundle, certificate, key or token file a kubeconfig may name. */
export const MAX_CREDENTIAL_FILE_BYTES = 1024 * 1024;
/** Largest bearer token accepted (a service-account JWT is about 1 KB). */
const MAX_TOKEN_CHARS = 64 * 1024;

/** A kubeconfig that cannot be used, in one line naming the file and the fix. */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

/** What a request to the API server needs, taken from one context of a kubeconfig. */
export interface KubeCredentials {
  /** The API server's base URL (https, no trailing slash). */
  readonly server: string;
  /** The context it came from, and the file, for messages. */
  readonly context: string;
  readonly file: string;
  /** PEM CA bundle; absent: the system's CAs. */
  readonly ca?: Buffer;
  /** PEM client certificate and key (both or neither). */
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** Bearer token. Never printed. */
  readonly token?: string;
  /** Name to verify the server certificate against, when not the URL's host. */
  readonly tlsServerName?: string;
}

/**
 * A kubeconfig or a file it names, through the project's one bounded, regular-file-only
 * reader (lib/local-file.ts): a FIFO or device is refused rather than read forever.
 */
function readKubeFile(file: string, kind: 'kubeconfig' | 'kubeconfig credential', maxBytes: number, what: string): Buffer {
  let content: Buffer | undefined;
  try {
    content = readLocalFile(file, kind, { maxBytes });
  } catch (err) {
    if (err instanceof LocalFileError) throw new KubeconfigError(`${what} ${printablePath(file)}: ${err.problem}`);
    throw err;
  }
  if (content === undefined) throw new KubeconfigError(`${what} ${printablePath(file)} does not exist`);
  return content;
}

const entry = <T extends z.ZodType>(key: string, body: T) => z.looseObject({ name: z.string().min(1), [key]: body });
const kubeconfigSchema = z.looseObject({
  clusters: z.array(entry('cluster', z.looseObject({}))).nullish(),
  users: z.array(entry('user', z.looseObject({}).nullish())).nullish(),
  contexts: z.array(entry('context', z.looseObject({ cluster: z.string().min(1), user: z.string().optional() }))).nullish(),
  'current-context': z.string().nullish(),
});
const clusterSchema = z.looseObject({
  server: z.string().min(1),
  'certificate-authority': z.string().min(1).optional(),
  'certificate-authority-data': z.string().min(1).optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'tls-server-name': z.string().optional(),
  'proxy-url': z.string().optional(),
});
const userSchema = z.looseObject({
  'client-certificate': z.string().min(1).optional(),
  'client-certificate-data': z.string().min(1).optional(),
  'client-key': z.string().min(1).optional(),
  'client-key-data': z.string().min(1).optional(),
  token: z.string().optional(),
  tokenFile: z.string().min(1).optional(),
});

/** Ways of authenticating this client does not take, and why. */
const REFUSED_USER_FIELDS: readonly [string, string][] = [
  ['exec', 'runs a credential plugin (exec); triton-jetson never runs a program named in a kubeconfig'],
  ['auth-provider', 'uses an auth-provider plugin; triton-jetson does not run kubeconfig plugins'],
  ['username', 'uses basic authentication, which Kubernetes removed in 1.19'],
  ['password', 'uses basic authentication, which Kubernetes removed in 1.19'],
  ['as', 'impersonates another user (as); read the status as yourself'],
  ['as-groups', 'impersonates groups (as-groups); read the status as yourself'],
  ['as-uid', 'impersonates a user id (as-uid); read the status as yourself'],
];
const FIX = 'use a context with a client certificate or a token (K3s\'s /etc/rancher/k3s/k3s.yaml, as bootstrap merges it, has one), or give --kubeconfig/--context';

/** A value from the file, safe to show in one line. */
function shown(value: string): string {
  // eslint-disable-next-line no-control-regex
  return JSON.stringify(value.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 80));
}

export interface KubeconfigChoice {
  /** --context: must exist. */
  readonly context?: string;
  /** The cluster description's kubeconfig.context: used when the file has it, else current-context. */
  readonly preferredContext?: string;
}

/** The credentials of one context of the kubeconfig at `file`. */
export function loadKubeconfig(file: string, choice: KubeconfigChoice = {}): KubeCredentials {
  const where = `kubeconfig ${file}`;
  const fail = (problem: string) => new KubeconfigError(`${where}: ${problem}`);
  const text = readKubeFile(file, 'kubeconfig', MAX_KUBECONFIG_BYTES, 'kubeconfig').toString('utf-8');
  // The cluster description's limits: aliases, nesting, duplicate keys, linear time.
  const yaml = parseBoundedYaml(text);
  if (!yaml.ok) throw fail(`is not valid YAML (${yaml.issues[0].slice(0, 160)}); check that --kubeconfig names a kubeconfig`);
  const raw = yaml.value;
  const parsed = kubeconfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(`is not a kubeconfig (${issue.path.join('.') || 'top level'}: ${issue.message}); check that --kubeconfig names a kubeconfig`);
  }
  const config = parsed.data;
  const contexts = config.contexts ?? [];
  const has = (name: string | undefined | null) => !!name && contexts.some((c) => c.name === name);
  let contextName: string;
  if (choice.context !== undefined) {
    if (!has(choice.context)) throw fail(`has no context ${shown(choice.context)} (--context); list them with kubectl config get-contexts`);
    contextName = choice.context;
  } else if (has(choice.preferredContext)) {
    contextName = choice.preferredContext!;
  } else if (config['current-context']) {
    if (!has(config['current-context'])) throw fail(`its current-context ${shown(config['current-context'])} is not one of its contexts; give --context`);
    contextName = config['current-context'];
  } else {
    throw fail(`has no current-context${choice.preferredContext ? ` and no context ${shown(choice.preferredContext)}` : ''}; give --context`);
  }
  // kubectl takes the first entry of a name.
  const context = contexts.find((c) => c.name === contextName)!.context as { cluster: string; user?: string };
  const clusterEntry = (config.clusters ?? []).find((c) => c.name === context.cluster);
  if (!clusterEntry) throw fail(`context ${shown(contextName)} names cluster ${shown(context.cluster)}, which is not in the file`);
  const cluster = clusterSchema.safeParse(clusterEntry.cluster);
  if (!cluster.success) throw fail(`cluster ${shown(context.cluster)}: ${cluster.error.issues[0].path.join('.')}: ${cluster.error.issues[0].message}`);
  const userEntry = context.user ? (config.users ?? []).find((u) => u.name === context.user) : undefined;
  if (context.user && !userEntry) throw fail(`context ${shown(contextName)} names user ${shown(context.user)}, which is not in the file`);
  const userRaw = (userEntry?.user ?? {}) as Record<string, unknown>;
  for (const [field, why] of REFUSED_USER_FIELDS) {
    if (userRaw[field] !== undefined && userRaw[field] !== null && userRaw[field] !== '') throw fail(`user ${shown(context.user ?? '')} ${why}; ${FIX}`);
  }
  const user = userSchema.safeParse(userRaw);
  if (!user.success) throw fail(`user ${shown(context.user ?? '')}: ${user.error.issues[0].path.join('.')}: ${user.error.issues[0].message}`);

  const c = cluster.data;
  if (c['insecure-skip-tls-verify']) throw fail(`cluster ${shown(context.cluster)} sets insecure-skip-tls-verify; triton-jetson always verifies the API server's certificate: give its certificate-authority(-data) instead`);
  if (c['proxy-url']) throw fail(`cluster ${shown(context.cluster)} sets proxy-url; triton-jetson connects to the API server directly: use a kubeconfig without the proxy`);
  const server = serverUrl(c.server, (problem) => fail(`cluster ${shown(context.cluster)}: server ${problem}`));
  const base = dirname(resolve(file));
  // Relative paths in a kubeconfig are relative to the kubeconfig's own folder (as kubectl does).
  const material = (dataKey: string, fileKey: string, data: string | undefined, path: string | undefined, what: string): Buffer | undefined => {
    if (data !== undefined && path !== undefined) throw fail(`${dataKey} and ${fileKey} are both set for ${what}; keep one`);
    if (data !== undefined) {
      if (!/^[A-Za-z0-9+/=\s]+$/.test(data)) throw fail(`${dataKey} of ${what} is not base64`);
      return Buffer.from(data, 'base64');
    }
    return path === undefined ? undefined : readKubeFile(resolve(base, path), 'kubeconfig credential', MAX_CREDENTIAL_FILE_BYTES, `${fileKey} of ${what}`);
  };
  const ca = material('certificate-authority-data', 'certificate-authority', c['certificate-authority-data'], c['certificate-authority'], `cluster ${shown(context.cluster)}`);
  if (ca !== undefined && !ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) throw fail(`the certificate authority of cluster ${shown(context.cluster)} holds no PEM certificate`);
  const u = user.data;
  const userName = `user ${shown(context.user ?? '')}`;
  const cert = material('client-certificate-data', 'client-certificate', u['client-certificate-data'], u['client-certificate'], userName);
  const key = material('client-key-data', 'client-key', u['client-key-data'], u['client-key'], userName);
  if ((cert === undefined) !== (key === undefined)) throw fail(`${userName} has a client ${cert ? 'certificate without its key' : 'key without its certificate'}; give both`);
  let token = u.token && u.token !== '' ? u.token : undefined;
  if (token === undefined && u.tokenFile) {
    token = readKubeFile(resolve(base, u.tokenFile), 'kubeconfig credential', MAX_CREDENTIAL_FILE_BYTES, `tokenFile of ${userName}`).toString('utf-8').trim();
  }
  if (token !== undefined && (token.length > MAX_TOKEN_CHARS || !/^[\x21-\x7e]+$/.test(token))) {
    throw fail(`the token of ${userName} is not a bearer token (printable characters without spaces, at most 64 KiB)`);
  }
  const tlsServerName = c['tls-server-name'] && c['tls-server-name'] !== '' ? c['tls-server-name'] : undefined;
  return { server, context: contextName, file, ca, cert, key, token, tlsServerName };
}

/** The API server's URL: https, a host, no user:password, query or fragment; a path prefix is kept. */
function serverUrl(text: string, fail: (problem: string) => KubeconfigError): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail(`${shown(text)} is not a URL; K3s's is https://<server address>:6443`);
  }
  if (url.protocol !== 'https:') throw fail(`${shown(url.protocol)}: only https API servers are used (the token and certificates must not travel in clear)`);
  if (url.username !== '' || url.password !== '') throw fail('has a user:password part; put credentials in the user entry');
  if (url.search !== '' || url.hash !== '') throw fail('has a query or fragment; give https://<host>:<port>[/<path>]');
  if (url.hostname === '') throw fail('has no host');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
