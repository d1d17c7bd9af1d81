/**
 * Root scripts the day-two verbs run on the K3s server with its bundled kubectl
 * (`k3s kubectl`, which reads /etc/rancher/k3s/k3s.yaml as root): cordon, drain, uncordon,
 * the Triton pods of a node, and a re-flashed board's stale registration. Running them on the
 * server over the SSH connection the run already holds needs no kubectl on the operator's
 * machine, no route to the API from it (a jump host is enough), and always matches the
 * server's version. Every value is one quoted word.
 */
import { shQuote } from './shell';

const KUBECTL = '/usr/local/bin/k3s kubectl';

/**
 * Annotation set when `upgrade` cordons a node, removed when it uncordons it. A node
 * cordoned without it was cordoned by someone else and is left cordoned.
 */
export const UPGRADE_CORDON_ANNOTATION = 'triton-jetson.dev/cordoned-by';
export const UPGRADE_CORDON_VALUE = 'upgrade';

export function cordonScript(node: string): string {
  const n = shQuote(node);
  return ['set -eu', `${KUBECTL} cordon ${n}`, `${KUBECTL} annotate node ${n} --overwrite ${shQuote(`${UPGRADE_CORDON_ANNOTATION}=${UPGRADE_CORDON_VALUE}`)}`].join('\n');
}

export function uncordonScript(node: string): string {
  const n = shQuote(node);
  return ['set -eu', `${KUBECTL} uncordon ${n}`, `${KUBECTL} annotate node ${n} ${shQuote(`${UPGRADE_CORDON_ANNOTATION}-`)}`].join('\n');
}

/**
 * Evicts the node's pods (DaemonSet pods such as Triton's stay: they would come straight
 * back; emptyDir data is lost by design), giving up after `timeoutSeconds`.
 */
export function drainScript(node: string, timeoutSeconds: number): string {
  return `${KUBECTL} drain ${shQuote(node)} --ignore-daemonsets --delete-emptydir-data --timeout=${Math.floor(timeoutSeconds)}s`;
}

/** The pods labelled `app=<app>` in `namespace` that run on `node`, as JSON. */
export function nodePodsScript(namespace: string, app: string, node: string): string {
  return `${KUBECTL} get pods -n ${shQuote(namespace)} -l ${shQuote(`app=${app}`)} --field-selector ${shQuote(`spec.nodeName=${node}`)} -o json`;
}

/** Where a K3s agent keeps the password it registers with (k3s-io/k3s pkg/nodepassword/validate.go). */
export const NODE_PASSWORD_PATH = '/etc/rancher/node/password';

/**
 * The Secret in kube-system holding the hash of a node's password: `<name>.node-password.k3s`
 * in lower case (k3s-io/k3s pkg/nodepassword/nodepassword.go, getSecretName).
 */
export function nodePasswordSecret(node: string): string {
  return `${node}.node-password.k3s`.toLowerCase();
}

/** Read-only, on the board: `password=yes|no` (whether it has a node password, i.e. has joined before). */
export const NODE_IDENTITY_PROBE = `if [ -s ${NODE_PASSWORD_PATH} ]; then echo password=yes; else echo password=no; fi`;

/** Read-only, on the server: `node=<name or empty>` and `secret=<name or empty>`. */
export function nodeRecordsScript(node: string): string {
  return [
    'set -eu',
    `echo "node=$(${KUBECTL} get node ${shQuote(node)} -o name --ignore-not-found)"`,
    `echo "secret=$(${KUBECTL} get secret -n kube-system ${shQuote(nodePasswordSecret(node))} -o name --ignore-not-found)"`,
  ].join('\n');
}

/**
 * Removes a node's object and its password secret (newer K3s garbage-collects the secret
 * with the node, older ones keep it: both are deleted, each only if present).
 */
export function removeNodeScript(node: string): string {
  return [
    'set -eu',
    `${KUBECTL} delete node ${shQuote(node)} --ignore-not-found`,
    `${KUBECTL} delete secret -n kube-system ${shQuote(nodePasswordSecret(node))} --ignore-not-found`,
  ].join('\n');
}

/** `key=value` lines of a probe's output. */
export function parseKeyValues(stdout: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  return values;
}

/** Read-only, on an agent: `rejected` when K3s' log says the server refused its node password, else `ok`. */
export const NODE_PASSWORD_REJECTED_PROBE = "if journalctl -u k3s-agent --no-pager -n 200 2>/dev/null | grep -q 'Node password rejected'; then echo rejected; else echo ok; fi";
