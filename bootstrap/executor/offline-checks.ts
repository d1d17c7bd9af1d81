/**
 * What `plan --offline` can already tell about this machine without connecting (issue 23.4):
 * a key file missing or unusable, no key at all, no ssh-agent, a board whose host key is not in
 * known_hosts yet, the token file. Each is one line with the fix; the boards named are bounded.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readLocalFile } from '../../lib/local-file';
import { boardList } from '../plan/script-groups';
import type { SshEndpoint } from '../plan/targets';
import { KnownHosts } from './known-hosts';

/** The default keys ssh-session.ts offers when no identity file is named, as ssh does. */
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export interface OfflineCheckInput {
  /** Every host the run would open, with its endpoint (jump hosts are looked at too). */
  readonly hosts: readonly { readonly name: string; readonly ssh: SshEndpoint }[];
  readonly knownHostsFile: string;
  readonly homeDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly tokenFile: string;
  /** The token file exists and holds a token. */
  readonly tokenPresent: boolean;
  /** The token file was named in the description (k3s.tokenFile). */
  readonly tokenFileNamed: boolean;
  readonly serverName: string;
}

/** One line per problem seen, with its fix. */
export function offlineWarnings(input: OfflineCheckInput): string[] {
  const warnings: string[] = [];
  const agent = Boolean(input.env.SSH_AUTH_SOCK);
  warnings.push(...keyWarnings(input, agent));
  if (!agent) {
    warnings.push('no ssh-agent ($SSH_AUTH_SOCK is not set): only key files without a passphrase can be used, since bootstrap asks for none; '
      + 'start one (eval "$(ssh-agent)" && ssh-add) if your key has a passphrase');
  }
  warnings.push(...hostKeyWarnings(input));
  if (!input.tokenPresent) {
    warnings.push(input.tokenFileNamed
      ? `k3s.tokenFile ${input.tokenFile} does not exist: bootstrap will take the token of a K3s server already running on ${input.serverName}, else generate a new one there (mode 0600); `
        + 'if this cluster already has a token, put it in that file first'
      : `no token file yet (${input.tokenFile}): bootstrap will take the token of a K3s server already running on ${input.serverName}, else generate one there (mode 0600)`);
  }
  return warnings;
}

function keyWarnings(input: OfflineCheckInput, agent: boolean): string[] {
  const warnings: string[] = [];
  const problems = new Map<string, string[]>();
  const withoutKey: string[] = [];
  for (const host of input.hosts) {
    for (const endpoint of chain(host.ssh)) {
      if (endpoint.identityFiles.length === 0) {
        const usable = DEFAULT_KEYS.map((f) => join(input.homeDir, '.ssh', f)).some((f) => keyProblem(f) === undefined);
        if (!usable && !agent) withoutKey.push(host.name);
        continue;
      }
      for (const file of endpoint.identityFiles) {
        const problem = keyProblem(file);
        if (problem) problems.set(problem, [...(problems.get(problem) ?? []), host.name]);
      }
    }
  }
  for (const [problem, boards] of problems) warnings.push(`${problem} (${boardList([...new Set(boards)])}); fix identityFile in the cluster description or ~/.ssh/config, or create the key: ssh-keygen -t ed25519, then ssh-copy-id to each board`);
  if (withoutKey.length > 0) {
    warnings.push(`no SSH key for ${boardList([...new Set(withoutKey)])}: none of ~/.ssh/${DEFAULT_KEYS.join(', ~/.ssh/')} is usable, no identityFile is named and no ssh-agent runs; `
      + 'create one (ssh-keygen -t ed25519) and copy it to the boards (ssh-copy-id), or set ssh.identityFile');
  }
  return warnings;
}

/** Why a key file cannot be used (as ssh-session.ts reads it: bounded, yours, private), or undefined. */
function keyProblem(file: string): string | undefined {
  if (!existsSync(file)) return `SSH key ${file} does not exist`;
  try {
    readLocalFile(file, 'SSH key', { access: 'private' });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The host and the jump hosts before it. */
function chain(endpoint: SshEndpoint): SshEndpoint[] {
  return endpoint.jump ? [...chain(endpoint.jump), endpoint] : [endpoint];
}

function hostKeyWarnings(input: OfflineCheckInput): string[] {
  let knownHosts: KnownHosts;
  try {
    knownHosts = new KnownHosts(input.knownHostsFile);
  } catch (err) {
    return [`${(err as Error).message}; bootstrap checks every board's host key against it`];
  }
  const unknown = new Map<string, { endpoint: SshEndpoint; boards: string[] }>();
  const all = new Set<string>();
  for (const host of input.hosts) {
    for (const endpoint of chain(host.ssh)) {
      all.add(`${endpoint.host}:${endpoint.port}`);
      if (knownHosts.knownKeyTypes(endpoint.host, endpoint.port).length > 0) continue;
      const key = `${endpoint.host}:${endpoint.port}`;
      const entry = unknown.get(key) ?? { endpoint, boards: [] };
      entry.boards.push(endpoint === host.ssh ? host.name : `${host.name}'s jump host ${endpoint.host}`);
      unknown.set(key, entry);
    }
  }
  if (unknown.size === 0) return [];
  const entries = [...unknown.values()];
  const first = entries[0].endpoint;
  const scan = `ssh-keyscan${first.port === 22 ? '' : ` -p ${first.port}`} ${first.host}`;
  return [`${entries.length === all.size ? 'no host has its' : `${entries.length} of ${all.size} hosts have no`} host key in ${input.knownHostsFile} `
    + `(${boardList(entries.map((e) => e.boards[0]))}): bootstrap refuses a host it does not know; compare each board's key with its console `
    + `(ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the board) and add it (${scan} >> ${input.knownHostsFile}), or let the first run record them: --trust-new-hosts`];
}
