/**
 * Which Triton DaemonSets a cluster description asks for: the tutorial's single `triton`
 * (no profiles anywhere), or one per board profile present (docs/profiles.md).
 */
import type { StackSettings } from './types/cluster';
import { parseQuantity } from './config/validators';
import {
  BOARD_PROFILES, BoardProfile, BoardProfileName, PROFILE_NODE_LABEL, PROFILE_POD_LABEL,
  namedProfiles, profileLeadingArgs, tritonMemoryFor,
} from './board-profiles';
import { TritonDaemonSetProps, TRITON_MODEL_REPOSITORY_PATH } from './triton-daemon-set';
import { profileImage } from './triton-images';
import { TUTORIAL_DEFAULTS } from './tutorial-defaults';

/** One per-profile Triton DaemonSet. */
export interface ProfileDaemonSet {
  readonly profile: BoardProfile;
  /** Nodes of the description that declare this profile. */
  readonly nodes: readonly string[];
  /** Memory the DaemonSet is sized for: the smallest declared board of the profile, else the profile's default. */
  readonly memoryBytes: number;
  /** The DaemonSet's props that differ from the single-DaemonSet stack. */
  readonly props: TritonDaemonSetProps;
}

/** The profiles a description names, oldest first: `triton.profiles` and every node's `profile`. */
export function declaredProfiles(config: Pick<StackSettings, 'triton' | 'fleet'>): BoardProfileName[] {
  return namedProfiles(config.triton.profiles, config.fleet.nodes);
}

/**
 * The per-profile DaemonSets, or undefined for the tutorial's single DaemonSet (no profile
 * named anywhere: dist/ stays as it was). Each is named `<triton.name>-<profile>`, its pods
 * carry `app: <triton.name>` (what the Service selects) and the profile label (its selector),
 * and it runs only on nodes labelled with its profile.
 */
export function profileDaemonSets(config: Pick<StackSettings, 'triton' | 'fleet'>): ProfileDaemonSet[] | undefined {
  const profiles = declaredProfiles(config);
  if (profiles.length === 0) return undefined;
  const hosts = config.fleet.nodes;
  const resourcesChanged = config.triton.resources.memoryRequest !== TUTORIAL_DEFAULTS.tritonResources.memoryRequest
    || config.triton.resources.memoryLimit !== TUTORIAL_DEFAULTS.tritonResources.memoryLimit;
  return profiles.map((name) => {
    const profile = BOARD_PROFILES[name];
    const members = hosts.filter((h) => h.profile === name);
    const declared = members.map((h) => (h.memory ? quantityBytes(h.memory) : undefined)).filter((m): m is number => m !== undefined);
    const memoryBytes = declared.length > 0 ? Math.min(...declared) : profile.defaultMemoryBytes;
    const { image } = profileImage(config.triton, name);
    const runtimeClassName = config.triton.runtimeClassName
      ?? (profile.runtime === 'containerd-runtimeclass' || config.fleet.runtime === 'containerd' ? 'nvidia' : undefined);
    const props: TritonDaemonSetProps = {
      name: `${config.triton.name}-${name}`,
      appLabel: config.triton.name,
      selectorLabels: { [PROFILE_POD_LABEL]: name },
      nodeSelector: { ...config.triton.nodeSelector, [PROFILE_NODE_LABEL]: name },
      image,
      argsPrefix: profile.argsPrefix,
      leadingArgs: profileLeadingArgs(profile, TRITON_MODEL_REPOSITORY_PATH),
      runtimeClassName,
      // triton.resources, when changed from the tutorial's, applies to every profile; else sized by memory.
      resources: resourcesChanged ? config.triton.resources : { ...config.triton.resources, ...tritonMemoryFor(memoryBytes) },
    };
    return { profile, nodes: members.map((h) => h.name), memoryBytes, props };
  });
}

/** Bytes of a memory quantity, rounded down. */
function quantityBytes(text: string): number | undefined {
  const value = parseQuantity(text);
  return value ? Number(value.numerator / value.denominator) : undefined;
}
