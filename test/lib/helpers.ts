import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Manifest } from '../support/manifests';

/** Synthesizes one construct alone in a test chart. */
export function synthConstruct(build: (scope: Construct) => void): Manifest[] {
  const chart = new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
  build(chart);
  return Testing.synth(chart) as Manifest[];
}
