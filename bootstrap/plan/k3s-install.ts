/**
 * K3s install on one node: the tutorial's settings (token, K3S_KUBECONFIG_MODE 644,
 * `--docker --disable servicelb --disable traefik` on the server, `--docker` on agents),
 * a pinned version, and a fingerprint that makes a second run a no-op.
 */
import { createHash } from 'node:crypto';
import { JETSON_NODE_LABEL } from '../../lib/config/inventory-schema';
import { K3S_FINGERPRINT_PATH } from './preflight';
import { heredoc, shQuote } from './shell';
import { TUTORIAL_DEFAULTS } from '../../lib/tutorial-defaults';
import { PLANNED_STAGING, airGapInstallLines, type AirGapFiles, type AirGapStaging } from './air-gap';
import { parseK3sToken } from './cluster-token';
import { redactK3sArgs } from './k3s-secrets';

export { airGapUploads, pickAirGapFiles, type AirGapFiles, type AirGapStaging } from './air-gap';

export const K3S_API_PORT = TUTORIAL_DEFAULTS.k3sApiPort;
const REDACTED = '<redacted>';

export interface K3sInstallInput {
  readonly role: 'server' | 'agent';
  readonly nodeName: string;
  /** https://<server>:6443, the agents' K3S_URL. */
  readonly serverUrl: string;
  /** Address the server's certificate must also be valid for (kubeconfig and agents use it). */
  readonly serverAddress: string;
  readonly version: string;
  readonly runtime: 'docker' | 'containerd';
  readonly disable: readonly string[];
  /** k3s.extraArgs + k3s.serverArgs/agentArgs + the node's own extraArgs. */
  readonly extraArgs: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** Add the Jetson label (the preflight found /etc/nv_tegra_release on an aarch64 host). */
  readonly jetsonLabel: boolean;
  readonly source: InstallSource;
}

/**
 * Where install.sh and the binary come from. Online, `sha256Url` names a sha256sum file the
 * downloaded install.sh must match before it runs (the release's own; absent for a mirror).
 */
export type InstallSource =
  | { readonly kind: 'online'; readonly scriptUrl: string; readonly sha256Url?: string }
  | { readonly kind: 'airgap'; readonly files: AirGapFiles };

/**
 * The installer of the K3s release `version` itself. A K3s GitHub release publishes only the
 * binaries, images and their sha256sum-<arch>.txt (k3s-io/k3s .github/workflows/release.yml,
 * "Upload Assets to Release": dist/artifacts/k3s* and sha256sum*); install.sh lives in the
 * repository, beside install.sh.sha256sum (added by k3s-io/k3s PR #8312, checked by its CI), so
 * the release's tag pins both. get.k3s.io serves install.sh of the default branch, whatever day
 * it is; the binary install.sh downloads is checked against the release's sha256sum-arm64.txt.
 */
export function releaseInstallerSource(version: string): InstallSource {
  const base = `https://raw.githubusercontent.com/k3s-io/k3s/${encodeURIComponent(version)}`;
  return { kind: 'online', scriptUrl: `${base}/install.sh`, sha256Url: `${base}/install.sh.sha256sum` };
}

export interface K3sInstallPlan {
  readonly role: 'server' | 'agent';
  readonly serviceName: 'k3s' | 'k3s-agent';
  readonly version: string;
  /** Installer arguments: `server`/`agent` then the flags. */
  readonly args: readonly string[];
  /** Non-secret installer environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Digest of every install setting (token included, as a digest); stored on the node. */
  readonly fingerprint: string;
  /** Node labels the node must carry (the Jetson label included when verified). */
  readonly labels: Readonly<Record<string, string>>;
  readonly source: InstallSource;
}

export function planK3sInstall(input: K3sInstallInput, token: string): K3sInstallPlan {
  const args: string[] = [input.role];
  if (input.runtime === 'docker') args.push('--docker');
  if (input.role === 'server') {
    for (const component of input.disable) args.push('--disable', component);
    args.push(`--tls-san=${input.serverAddress}`);
  }
  args.push(`--node-name=${input.nodeName}`);
  const labels: Record<string, string> = { ...input.labels };
  if (input.jetsonLabel) labels[JETSON_NODE_LABEL] = 'true';
  for (const key of Object.keys(labels).sort()) args.push(`--node-label=${key}=${labels[key]}`);
  args.push(...input.extraArgs);

  const env: Record<string, string> = { INSTALL_K3S_VERSION: input.version };
  if (input.role === 'server') env.K3S_KUBECONFIG_MODE = '644';
  else {
    env.K3S_URL = input.serverUrl;
    // Agents install while the server installs, and start once it answers (startAgentScript).
    env.INSTALL_K3S_SKIP_START = 'true';
  }
  if (input.source.kind === 'airgap') env.INSTALL_K3S_SKIP_DOWNLOAD = 'true';

  // Not part of the fingerprint (how the service is started, not what is installed).
  const startEnv: Record<string, string> = input.role === 'server'
    // K3s' install.sh skips starting the service when the binary, unit and env file are
    // unchanged ("No change detected so skipping service start"): a stopped server would
    // stay stopped on a rerun. We only reinstall when something is wrong, so always start.
    ? { INSTALL_K3S_FORCE_RESTART: 'true' }
    : {};

  // Node labels are not part of it either: K3s applies --node-label only when a node
  // registers, and wait-ready.ts sets missing labels through the API, so a new label (such as
  // the detected profile's) must not reinstall and restart K3s on every board.
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({
      args: args.filter((arg) => !arg.startsWith('--node-label=')),
      env,
      token: createHash('sha256').update(`triton-jetson:${token}`).digest('hex'),
      binary: input.source.kind === 'airgap' ? input.source.files.binarySha256 : undefined,
    }))
    .digest('hex');
  return {
    role: input.role,
    serviceName: input.role === 'server' ? 'k3s' : 'k3s-agent',
    version: input.version,
    args,
    env: { ...env, ...startEnv },
    fingerprint,
    labels,
    source: input.source,
  };
}

/** The node already runs this version with these settings, so the install is skipped. */
export function isInstallCurrent(
  plan: K3sInstallPlan,
  facts: { readonly k3sVersion?: string; readonly k3sFingerprint?: string; readonly k3sServerActive: boolean; readonly k3sAgentActive: boolean },
): boolean {
  const active = plan.role === 'server' ? facts.k3sServerActive : facts.k3sAgentActive;
  return active && facts.k3sVersion === plan.version && facts.k3sFingerprint === plan.fingerprint;
}

/**
 * Root script that installs K3s. The token is exported inside the script, which travels
 * on the stdin of `sh -s`: it never appears in an argv (`ps`) or in a log. An air-gapped
 * install takes its files from `staging`, the SSH user's upload folder (air-gap.ts).
 */
export function installScript(plan: K3sInstallPlan, token: string, staging: AirGapStaging = PLANNED_STAGING): string {
  return renderInstallScript(plan, shQuote(token), plan.args, staging);
}

/** The same script with the token and secrets in K3s flags replaced, for dry runs and logs. */
export function redactedInstallScript(plan: K3sInstallPlan): string {
  return renderInstallScript(plan, REDACTED, redactK3sArgs(plan.args), PLANNED_STAGING);
}

function renderInstallScript(plan: K3sInstallPlan, tokenWord: string, args: readonly string[], staging: AirGapStaging): string {
  const lines = ['set -eu', 'umask 022'];
  for (const [key, value] of Object.entries(plan.env)) lines.push(`export ${key}=${shQuote(value)}`);
  lines.push(`export K3S_TOKEN=${tokenWord}`);
  const argv = args.map(shQuote).join(' ');
  if (plan.source.kind === 'online') {
    lines.push(
      'd=$(mktemp -d /tmp/triton-jetson-k3s.XXXXXX)',
      'trap \'rm -rf "$d"\' EXIT',
      `curl -sfL ${shQuote(plan.source.scriptUrl)} -o "$d/install.sh"`,
    );
    if (plan.source.sha256Url) {
      lines.push(
        `curl -sfL ${shQuote(plan.source.sha256Url)} -o "$d/install.sh.sha256sum"`,
        `(cd "$d" && sha256sum -c install.sh.sha256sum >/dev/null) || { echo ${shQuote(`install.sh of K3s ${plan.version} does not match its install.sh.sha256sum; not running it`)} >&2; exit 1; }`,
      );
    }
    lines.push(`sh "$d/install.sh" ${argv}`);
  } else {
    lines.push(...airGapInstallLines(plan.source.files, staging, argv));
  }
  if (plan.role === 'server') {
    // An installer older than INSTALL_K3S_FORCE_RESTART may still have skipped the start.
    lines.push('systemctl is-active --quiet k3s || systemctl start k3s');
  }
  lines.push('mkdir -p /etc/rancher/k3s', heredoc(`cat > ${K3S_FINGERPRINT_PATH}`, plan.fingerprint));
  return lines.join('\n');
}

/**
 * Root script that starts (or restarts, after a settings change or an upgrade) an agent
 * installed with INSTALL_K3S_SKIP_START, without waiting for it: K3s' unit is Type=notify with
 * TimeoutStartSec=0 (k3s-io/k3s install.sh, create_systemd_service_file), so a blocking restart
 * of an agent that cannot join (server unreachable, node password rejected) would never return.
 * The callers wait for the node through the API instead, with a deadline.
 */
export const START_AGENT_SCRIPT = 'set -eu\nsystemctl restart --no-block k3s-agent';

/** Where a K3s server keeps the cluster token. */
export const SERVER_TOKEN_PATH = '/var/lib/rancher/k3s/server/token';

/**
 * The token to give the nodes, from the text of a K3s server's token file (a board's
 * answer): `K10<ca hash>::server:<password>` → `<password>`; a short token as it is. Undefined
 * when the text is not one K3s token (parseK3sToken in cluster-token.ts).
 */
export function parseServerToken(text: string): string | undefined {
  const token = text.trim();
  const parsed = parseK3sToken(token);
  if (typeof parsed === 'string') return undefined;
  return parsed.username !== undefined ? parsed.secret : token.replace(/^K10[0-9a-f]*::/, '');
}

/** The server's kubeconfig, written by K3s (readable by root only). */
export const K3S_KUBECONFIG_PATH = '/etc/rancher/k3s/k3s.yaml';
/** Root script that prints the cluster's nodes as JSON. */
export const GET_NODES_SCRIPT = '/usr/local/bin/k3s kubectl get nodes -o json';

/** Root script for `reset`: runs the uninstall scripts that exist. Prints what it ran. */
export const UNINSTALL_K3S_SCRIPT = [
  'set -eu',
  'ran=',
  'if [ -x /usr/local/bin/k3s-agent-uninstall.sh ]; then /usr/local/bin/k3s-agent-uninstall.sh >/dev/null; ran="$ran k3s-agent-uninstall.sh"; fi',
  'if [ -x /usr/local/bin/k3s-uninstall.sh ]; then /usr/local/bin/k3s-uninstall.sh >/dev/null; ran="$ran k3s-uninstall.sh"; fi',
  `rm -f ${K3S_FINGERPRINT_PATH}`,
  'echo "uninstalled:$ran"',
].join('\n');
