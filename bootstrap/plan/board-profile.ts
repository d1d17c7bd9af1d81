/**
 * Board generations seen from the bootstrapper (pure): which profile a board is, from its
 * /etc/nv_tegra_release; its memory, from /proc/meminfo; whether the description's
 * declared profile agrees; which container runtime it gets; and the newest K3s every
 * board of the cluster can run. docs/profiles.md explains the rules.
 */
import { printable } from '../../lib/terminal-text';
import {
  BOARD_PROFILES, PROFILE_NODE_LABEL, namedProfiles, nominalMemoryBytes, type BoardProfileName,
} from '../../lib/board-profiles';

/** Text a board printed, fit for a message: one line, no terminal escapes, at most 120 characters. */
export function boardText(text: string): string {
  return printable(text, 120);
}

/** L4T major release → profile (JetPack 4.x is R32, 5.x is R35, 6.x is R36). */
const PROFILE_BY_L4T_MAJOR: Readonly<Record<number, BoardProfileName>> = { 32: 'jetpack4', 35: 'jetpack5', 36: 'jetpack6' };

/** The profile of a board from the first line of /etc/nv_tegra_release ("# R36 (release), REVISION: 4.3, ..."). */
export function profileFromTegraRelease(line: string): BoardProfileName | undefined {
  const match = /^#\s*R(\d+)\s*\(release\)/.exec(line.trim());
  return match ? PROFILE_BY_L4T_MAJOR[Number(match[1])] : undefined;
}

/** MemTotal of /proc/meminfo in kB, or undefined when missing. */
export function memTotalKb(meminfo: string): number | undefined {
  const match = /^MemTotal:\s+(\d+)\s*kB\s*$/m.exec(meminfo);
  return match ? Number(match[1]) : undefined;
}

/** A board's profile: the declared one (cluster description) checked against the detected one. */
export type ProfileVerdict =
  | { readonly kind: 'ok'; readonly profile: BoardProfileName; readonly source: 'declared and detected' | 'detected' | 'declared' }
  | { readonly kind: 'mismatch'; readonly message: string }
  | { readonly kind: 'unknown'; readonly message: string };

/**
 * Declared and detected must agree: a wrong declaration would send the wrong image (and
 * runtime) to the board, so a mismatch stops the host. Declared alone is trusted (e.g. a
 * board without /etc/nv_tegra_release in a test rig); detected alone is used.
 */
export function resolveProfile(node: string, declared: BoardProfileName | undefined, tegraRelease: string | undefined): ProfileVerdict {
  const detected = tegraRelease ? profileFromTegraRelease(tegraRelease) : undefined;
  if (declared && detected && declared !== detected) {
    return {
      kind: 'mismatch',
      message: `node "${node}" is declared ${declared} in the cluster description, but /etc/nv_tegra_release says L4T R${BOARD_PROFILES[detected].l4tMajor} (${detected}); fix nodes[].profile (or reflash the board)`,
    };
  }
  if (declared && detected) return { kind: 'ok', profile: declared, source: 'declared and detected' };
  if (detected) return { kind: 'ok', profile: detected, source: 'detected' };
  if (declared) return { kind: 'ok', profile: declared, source: 'declared' };
  return {
    kind: 'unknown',
    message: `node "${node}": no profile declared and ${tegraRelease ? `unrecognised /etc/nv_tegra_release "${boardText(tegraRelease)}"` : 'no /etc/nv_tegra_release'}; it gets no profile label, so no Triton`,
  };
}

/**
 * The container runtime a board runs K3s with: JetPack 4 boards (and boards of unknown
 * generation) follow k3s.runtime (the tutorial's Docker); JetPack 5 and 6 boards use K3s'
 * containerd with RuntimeClass "nvidia" (JetPack 6 installs no Docker), whatever k3s.runtime
 * says, so daemon.json is only prepared where Docker runs. The manifests agree: the jetpack5
 * and jetpack6 DaemonSets always use RuntimeClass "nvidia", jetpack4's only with containerd.
 */
export function nodeRuntime(profile: BoardProfileName | undefined, clusterRuntime: 'docker' | 'containerd'): 'docker' | 'containerd' {
  if (!profile) return clusterRuntime;
  return BOARD_PROFILES[profile].runtime === 'docker-default-nvidia' ? clusterRuntime : 'containerd';
}

/** The node labels of a profile (what the per-profile DaemonSets select). */
export function profileNodeLabels(profile: BoardProfileName): Record<string, string> {
  return { [PROFILE_NODE_LABEL]: profile };
}

/** One board's generation and cgroup version, as the ceiling needs them. */
export interface BoardGeneration {
  readonly name: string;
  readonly profile: BoardProfileName;
  /** Detected by the preflight; undefined when only declared. */
  readonly cgroup?: 'v1' | 'v2';
}

/** The newest K3s minor every board allows; undefined when none caps it. */
export interface K3sCeiling {
  readonly maxMinor?: number;
  /** The first board holding the cluster to maxMinor, and why. */
  readonly limitedBy?: { readonly node: string; readonly reason: string };
}

/**
 * Newest Kubernetes minor a board allows: 34 on cgroup v1 (Kubernetes 1.35 refuses it);
 * a detected cgroup v2 lifts the cap, a detected v1 sets it whatever the profile says.
 */
export function boardMaxK3sMinor(board: BoardGeneration): { readonly maxMinor?: number; readonly reason: string } {
  const profile = BOARD_PROFILES[board.profile];
  if (board.cgroup === 'v1') return { maxMinor: 34, reason: `${board.profile} board with cgroup v1 (Kubernetes 1.35+ refuses cgroup v1)` };
  if (board.cgroup === 'v2') return { reason: `${board.profile} board with cgroup v2` };
  return profile.maxK3sMinor === undefined
    ? { reason: `${board.profile} (cgroup ${profile.cgroup})` }
    : { maxMinor: profile.maxK3sMinor, reason: `${board.profile} (cgroup ${profile.cgroup === 'unknown' ? 'v1 assumed, not detected' : profile.cgroup}; Kubernetes 1.35+ refuses cgroup v1)` };
}

/** The cluster's ceiling: the lowest board cap, naming the (first) board that sets it. */
export function clusterK3sCeiling(boards: readonly BoardGeneration[]): K3sCeiling {
  let ceiling: K3sCeiling = {};
  for (const board of boards) {
    const cap = boardMaxK3sMinor(board);
    if (cap.maxMinor !== undefined && (ceiling.maxMinor === undefined || cap.maxMinor < ceiling.maxMinor)) {
      ceiling = { maxMinor: cap.maxMinor, limitedBy: { node: board.name, reason: cap.reason } };
    }
  }
  return ceiling;
}

/** An error message when `version` ("v1.35.2+k3s1") is above the cluster's ceiling, else undefined. */
export function k3sVersionProblem(version: string, boards: readonly BoardGeneration[]): string | undefined {
  const minor = Number(/^v1\.(\d+)\./.exec(version)?.[1]);
  const ceiling = clusterK3sCeiling(boards);
  if (ceiling.maxMinor === undefined || !Number.isFinite(minor) || minor <= ceiling.maxMinor) return undefined;
  return `K3s ${version} is newer than node "${ceiling.limitedBy!.node}" allows: it is a ${ceiling.limitedBy!.reason}; the cluster can run at most v1.${ceiling.maxMinor} (e.g. "v1.${ceiling.maxMinor}.x+k3s1")`;
}

/** Memory of a board, nominal GiB from /proc/meminfo, as the quantity `nodes[].memory` takes ("8Gi"). */
export function memoryQuantity(meminfo: string): string | undefined {
  const kb = memTotalKb(meminfo);
  return kb === undefined ? undefined : `${nominalMemoryBytes(kb) / 1024 ** 3}Gi`;
}

/**
 * Whether a description uses board profiles: `triton.profiles` or any node's `profile`.
 * Without them the bootstrapper behaves as before (no profile label, k3s.runtime on every node).
 */
export function profileModeOf(config: {
  readonly triton?: { readonly profiles?: readonly string[] };
  readonly nodes?: { readonly server: { readonly profile?: string }; readonly agents: readonly { readonly profile?: string }[] };
}): boolean {
  if ((config.triton?.profiles?.length ?? 0) > 0) return true;
  return config.nodes ? [config.nodes.server, ...config.nodes.agents].some((h) => h.profile !== undefined) : false;
}

/** The profiles the description names (triton.profiles and nodes[].profile), oldest first: the DaemonSets synth renders. */
export function declaredProfilesOf(config: {
  readonly triton?: { readonly profiles?: readonly string[] };
  readonly nodes?: { readonly server: { readonly profile?: string }; readonly agents: readonly { readonly profile?: string }[] };
}): BoardProfileName[] {
  return namedProfiles(config.triton?.profiles, config.nodes ? [config.nodes.server, ...config.nodes.agents] : []);
}

