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

/** The recommended labels every object of the stack carries (lib/labels.ts), for component `name`. */
export function objectLabels(name: string, instance = 'triton-jetson'): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': 'triton-jetson',
    'app.kubernetes.io/instance': instance,
    'app.kubernetes.io/managed-by': 'cdk8s-triton-jetson',
    'app.kubernetes.io/version': '0.1.0',
  };
}

/** The text of a synthesized file without its header comment (lib/manifest-header.ts). */
export function withoutHeader(text: string): string {
  return text.replace(/^(#[^\n]*\n)+/, '');
}
