import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Manifest } from '../support/manifests';

/**
 * An app for tests. Unlike cdk8s' Testing.app(), which makes a temporary output folder for
 * every app and leaves it behind, nothing is written: tests read charts with Testing.synth.
 */
export function testApp(): App {
  return new App({ outdir: 'test-app-never-written' });
}

/** An empty chart in a {@link testApp}. */
export function testChart(): Chart {
  return new Chart(testApp(), 'test');
}

/** Synthesizes one construct alone in a test chart. */
export function synthConstruct(build: (scope: Construct) => void): Manifest[] {
  const chart = new Chart(testApp(), 'test', { disableResourceNameHashes: true });
  build(chart);
  return Testing.synth(chart) as Manifest[];
}
