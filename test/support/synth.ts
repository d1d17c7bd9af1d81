import { ClusterConfigInput, synthYaml } from '../../lib';
import { Manifest, parseManifests } from './manifests';

/** Synthesizes the stack for a cluster description and parses the manifests. */
export function synthManifests(cluster: ClusterConfigInput = {}): Manifest[] {
  return parseManifests(synthYaml(cluster));
}
