/**
 * Re-adding a re-flashed board under its old name (`bootstrap --node NAME`), decided from
 * facts alone (pure). K3s registers every agent with a random password kept on the board
 * (/etc/rancher/node/password) and stores its hash in the Secret
 * `kube-system/<name>.node-password.k3s`; a later registration under that name with another
 * password is refused ("Node password rejected", k3s-io/k3s pkg/nodepassword/nodepassword.go
 * Ensure/verifyHash, validate.go). A re-flashed board has lost its password, so the server's
 * stale node object and secret must go before it can join: never silently (--replace or a
 * yes at the prompt), and only when the board's identity changed.
 */
import { nodePasswordSecret } from './node-ops';

export interface NodeIdentity {
  /** The board holds a node password (it has registered before). */
  readonly boardHasPassword: boolean;
  /** Its k3s-agent service runs. */
  readonly boardAgentActive: boolean;
  /** The server lists a node of that name. */
  readonly serverHasNode: boolean;
  /** The server holds `<name>.node-password.k3s` in kube-system. */
  readonly serverHasSecret: boolean;
}

export type IdentityVerdict =
  /** Nothing to remove: a new name, or the same board still registered. */
  | { readonly kind: 'keep'; readonly note: string }
  /** The board was re-flashed: the server's registration would refuse it. */
  | { readonly kind: 'stale'; readonly note: string }
  /** The board has a password but does not run: remove only when asked (--replace). */
  | { readonly kind: 'unsure'; readonly note: string };

export function judgeNodeIdentity(name: string, server: string, id: NodeIdentity): IdentityVerdict {
  const records = [id.serverHasNode ? `node/${name}` : '', id.serverHasSecret ? `secret kube-system/${nodePasswordSecret(name)}` : ''].filter(Boolean).join(' and ');
  if (!id.serverHasNode && !id.serverHasSecret) return { kind: 'keep', note: `${server} holds no registration for ${name}: it joins as a new node` };
  if (!id.boardHasPassword) {
    return { kind: 'stale', note: `${name} was re-flashed (no node password on the board) but ${server} still holds its old registration (${records}), so K3s would refuse it ("Node password rejected")` };
  }
  if (id.boardAgentActive) return { kind: 'keep', note: `${name} is the board registered on ${server} (its node password is in place, k3s-agent runs)` };
  return { kind: 'unsure', note: `${name} has a node password but k3s-agent is not running; ${server} holds ${records}: if K3s refuses it ("Node password rejected"), rerun with --node ${name} --replace` };
}

/** The one line given when the stale registration may not be removed (no flag, nobody to ask). */
export function replaceRefusal(name: string, note: string): string {
  return `${note}; rerun with --node ${name} --replace to remove that node object and its password secret (nothing else), or answer yes on a terminal`;
}
