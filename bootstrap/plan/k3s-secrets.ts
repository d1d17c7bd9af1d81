/**
 * Secrets that K3s flags can carry (k3s.extraArgs, serverArgs, agentArgs, a node's
 * extraArgs), so that plans, dry runs, progress lines and errors never print them. The token
 * flags themselves are refused by the schema (lib/config/inventory-schema.ts): the token
 * comes from k3s.tokenFile and travels as K3S_TOKEN inside the root script.
 *
 * Which K3s flags hold secrets: docs.k3s.io/cli/server and /cli/agent (`--token`,
 * `--agent-token`, `--datastore-endpoint` with a password in its URL, `--etcd-s3-access-key`,
 * `--etcd-s3-secret-key`, `--etcd-s3-session-token`, `--vpn-auth`).
 */
const REDACTED = '<redacted>';

/** Flags whose whole value is a secret. */
const SECRET_VALUE_FLAGS = new Set([
  '--token', '--agent-token', '--etcd-s3-access-key', '--etcd-s3-secret-key', '--etcd-s3-session-token', '--vpn-auth',
]);

/** "scheme://user:password@" anywhere in a value: the password part. */
const URL_PASSWORD = /([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:/@\s]*:)([^\s]*)@/g;
/**
 * "…password=x", "…secret=x", "…token=x" as a setting inside a value (a datastore URL's
 * query, `--kube-apiserver-arg=oidc-client-secret=x`): the value part.
 */
const NAMED_SECRET = /((?:^|[?&;,])[A-Za-z0-9_.-]*(?:password|passwd|secret|token)[A-Za-z0-9_.-]*=)([^&;,\s]+)/gi;

/** The secret parts of one flag ("--name=value"). */
export function k3sFlagSecrets(flag: string): string[] {
  const eq = flag.indexOf('=');
  if (eq < 0) return [];
  const name = flag.slice(0, eq);
  const value = flag.slice(eq + 1);
  if (SECRET_VALUE_FLAGS.has(name)) return value === '' ? [] : [value];
  return [...value.matchAll(URL_PASSWORD), ...value.matchAll(NAMED_SECRET)].map((m) => m[2]).filter((p) => p !== '');
}

/** The flags as shown to a person: secret values replaced with <redacted>. */
export function redactK3sArgs(args: readonly string[]): string[] {
  return args.map((flag) => {
    const eq = flag.indexOf('=');
    if (eq < 0) return flag;
    const name = flag.slice(0, eq);
    if (SECRET_VALUE_FLAGS.has(name)) return `${name}=${REDACTED}`;
    const value = flag.slice(eq + 1)
      .replace(URL_PASSWORD, (_m, head: string) => `${head}${REDACTED}@`)
      .replace(NAMED_SECRET, (_m, head: string) => `${head}${REDACTED}`);
    return `${name}=${value}`;
  });
}

/** Every secret in a list of flags, for the run's redaction list. */
export function k3sArgsSecrets(args: readonly string[]): string[] {
  return args.flatMap(k3sFlagSecrets);
}
