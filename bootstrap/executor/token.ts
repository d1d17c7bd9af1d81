/**
 * The cluster token: read from the local token file, else recovered from a server that
 * already runs K3s (a new token would lock its agents out), else generated. Never printed:
 * every form of it is added to the run's secrets.
 */
import { tokenProblem } from '../plan/cluster-token';
import { SERVER_TOKEN_PATH, parseServerToken } from '../plan/k3s-install';
import type { Fleet, HostState } from './fleet';
import { createToken, defaultTokenFile, writeTokenFile } from './local-files';
import { fromConfigDir } from './options';
import { HostError } from './transport';

/** Stands in for the token in a dry run when none exists yet. */
const DRY_RUN_TOKEN = 'dry-run-token-placeholder';

/** Where the token is kept: k3s.tokenFile, else `.triton-jetson/<context>/token` beside the description. */
export function tokenFilePath(fleet: Fleet): string {
  const { config, configPath } = fleet.options;
  return fromConfigDir(configPath, config.k3s.tokenFile ?? defaultTokenFile(configPath, config.kubeconfig.context), fleet.home);
}

/**
 * The token the hosts are given. `local` is what the token file held before the run
 * (read before connecting, so a broken file stops the run early).
 */
export async function settleToken(fleet: Fleet, tokenFile: string, local: string | undefined, dryRun: boolean): Promise<string> {
  let token = local;
  const server = fleet.server;
  if (token === undefined && server.summary.status === 'ok' && server.facts?.k3sVersion) {
    token = await recoverServerToken(fleet, server);
    if (token !== undefined && !dryRun) {
      writeTokenFile(tokenFile, token);
      fleet.say('local', `recovered the cluster token from ${server.target.name} into ${tokenFile} (mode 0600)`);
    }
  }
  // A server whose token could not be taken keeps it: a new one would lock its agents out.
  if (token === undefined && !dryRun && server.summary.status === 'ok') {
    token = createToken(tokenFile);
    fleet.say('local', `generated a cluster token in ${tokenFile} (mode 0600)`);
  }
  const effective = token ?? DRY_RUN_TOKEN;
  fleet.secrets.push(effective);
  return effective;
}

/**
 * The secret part of the server's token file (`K10<ca hash>::server:<secret>`), or undefined
 * when there is none. The file is a board's answer: one that is not a usable K3s token stops
 * the server with a message that never quotes it (a new token would lock its agents out).
 */
export async function recoverServerToken(fleet: Fleet, server: HostState): Promise<string | undefined> {
  // Unreadable counts as absent, as before: a new token is generated and the run says so.
  const text = await server.operator!.readFile(SERVER_TOKEN_PATH).catch(() => undefined);
  if (text === undefined) return undefined;
  if (text.trim() !== '') fleet.secrets.push(text.trim());
  const secret = parseServerToken(text);
  const problem = secret === undefined ? 'is not a K3s token' : tokenProblem(secret);
  if (secret === undefined || problem) {
    fleet.fail(server, new HostError('step', `the cluster token in ${SERVER_TOKEN_PATH} on ${server.target.name} ${problem}; rotate it there (k3s token rotate --new-token "$(openssl rand -hex 32)") and put the new token in ${tokenFilePath(fleet)}, or reinstall the server`));
    return undefined;
  }
  fleet.secrets.push(secret);
  return secret;
}
