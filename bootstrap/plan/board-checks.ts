/**
 * The preflight's checks of a board's generation (pure): its profile (declared and/or
 * detected from /etc/nv_tegra_release, with or without profiles in the description), the
 * runtime it picks, whether the manifests have a Triton for it, its memory and the newest
 * K3s it allows. docs/profiles.md explains the rules.
 */
import { TUTORIAL_DAEMONSET_AVOIDS, jetsonModuleMemory, type BoardProfileName } from '../../lib/board-profiles';
import { compareQuantities } from '../../lib/config/validators';
import { boardMaxK3sMinor, nodeRuntime, resolveProfile } from './board-profile';
import type { HostFacts, PreflightOptions } from './host-facts';
import type { PreflightCheck } from './preflight-check';

export interface BoardGenerationVerdict {
  readonly checks: readonly PreflightCheck[];
  readonly profile?: BoardProfileName;
  readonly runtime: 'docker' | 'containerd';
}

export function evaluateBoardGeneration(facts: HostFacts, options: PreflightOptions): BoardGenerationVerdict {
  const node = options.nodeName ?? facts.hostname;
  const verdict = resolveProfile(node, options.declaredProfile, facts.l4tRelease);
  if (verdict.kind === 'mismatch') return { checks: [{ name: 'profile', status: 'fail', detail: verdict.message }], runtime: options.runtime };
  if (verdict.kind === 'unknown') {
    // Without profiles such a board runs the tutorial's DaemonSet like any unlabelled node.
    return { checks: options.profileMode ? [{ name: 'profile', status: 'warn', detail: verdict.message }] : [], runtime: options.runtime };
  }
  const profile = verdict.profile;
  const runtime = nodeRuntime(profile, options.runtime);
  const checks: PreflightCheck[] = [{
    name: 'profile', status: 'ok',
    detail: `${profile} (${verdict.source}); K3s on ${runtime}${runtime !== options.runtime ? ` (k3s.runtime "${options.runtime}" applies to JetPack 4 boards; JetPack 5/6 boards run K3s' containerd)` : ''}`,
  }];
  const unserved = unservedProfileWarning(node, profile, options.declaredProfiles ?? []);
  if (unserved) checks.push({ name: 'triton', status: 'warn', detail: unserved });
  const memory = memoryCheck(facts.memTotalKb, options);
  if (memory) checks.push(memory);
  const cap = boardMaxK3sMinor({ name: node, profile, cgroup: facts.cgroupVersion });
  const minor = Number(/^v1\.(\d+)\./.exec(options.k3sVersion ?? '')?.[1]);
  if (cap.maxMinor !== undefined && minor > cap.maxMinor) {
    checks.push({ name: 'k3s-ceiling', status: 'fail', detail: `k3s.version ${options.k3sVersion} is newer than this board allows: ${cap.reason}; the cluster can run at most v1.${cap.maxMinor}` });
  }
  return { checks, profile, runtime };
}

/**
 * Synth cannot see boards: it renders the DaemonSets the description names (`declared`), or
 * without any the tutorial's one, which stays off boards labelled jetpack5/jetpack6. A board
 * whose profile no DaemonSet selects gets no Triton; say so, with the fix.
 */
export function unservedProfileWarning(node: string, profile: BoardProfileName, declared: readonly BoardProfileName[]): string | undefined {
  if (declared.length === 0) {
    if (!TUTORIAL_DAEMONSET_AVOIDS.includes(profile)) return undefined;
    return `node "${node}" is a ${profile} board, but the cluster description names no board profile, so the manifests hold only the tutorial's Triton DaemonSet (JetPack 4.6 image), `
      + `which stays off ${profile} boards: this board gets no Triton until you add "profile: ${profile}" to it (and "profile: jetpack4" to the Nanos, or list triton.profiles) and run synth again`;
  }
  if (declared.includes(profile)) return undefined;
  return `node "${node}" is a ${profile} board, but the cluster description names only ${declared.join(', ')}: no Triton DaemonSet selects ${profile} boards; add "profile: ${profile}" to it (or to triton.profiles) and run synth again`;
}

/** The memory line: the module size MemTotal belongs to, against a declared nodes[].memory. */
function memoryCheck(memTotalKb: number | undefined, options: PreflightOptions): PreflightCheck | undefined {
  if (memTotalKb === undefined) return undefined;
  const { bytes, module } = jetsonModuleMemory(memTotalKb);
  const memory = `${bytes / 1024 ** 3}Gi`;
  const seen = `MemTotal ${memTotalKb} kB${module ? `: a ${memory} module less its carve-outs` : ', not a Jetson module size: rounded up to whole GiB'}`;
  if (options.declaredMemory && compareQuantities(memory, options.declaredMemory) !== 0) {
    return { name: 'memory', status: 'warn', detail: `${memory} detected (${seen}), nodes[].memory says ${options.declaredMemory}: Triton on this profile is sized for the smallest declared board; fix nodes[].memory` };
  }
  const hint = options.profileMode && !options.declaredMemory ? `; declare nodes[].memory: ${memory} to size Triton for it` : '';
  return { name: 'memory', status: 'ok', detail: `${memory} (${seen})${hint}` };
}
