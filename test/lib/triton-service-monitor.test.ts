/**
 * TritonServiceMonitor: the Prometheus Operator's ServiceMonitor for Triton's metrics port,
 * off by default (dist/ unchanged), on through `metrics.serviceMonitor` in the cluster
 * description; its type is imported offline from the committed CRD, and the objects it
 * makes validate against that CRD's schema.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { Testing } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { ClusterConfigError, parseClusterConfig, synthYaml, TritonServiceMonitor } from '../../lib';
import { DIST, findManifest, Manifest, REPO_ROOT } from '../support/manifests';
import { synthManifests } from '../support/synth';
import { objectLabels, testChart, withoutHeader } from './helpers';

const CRD_FILE = path.join(REPO_ROOT, 'schemas', 'crds', 'monitoring.coreos.com_servicemonitors.yaml');

function crdValidator() {
  const crd = parse(readFileSync(CRD_FILE, 'utf-8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: object } }[] } };
  const v1 = crd.spec.versions.find((v) => v.name === 'v1')!;
  const ajv = new Ajv({ strict: false, allErrors: true });
  // Kubernetes' structural-schema extensions are not JSON Schema keywords.
  for (const keyword of ['x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations']) {
    ajv.addKeyword(keyword);
  }
  for (const format of ['int32', 'int64', 'byte', 'date-time']) ajv.addFormat(format, true);
  return ajv.compile(v1.schema.openAPIV3Schema);
}

describe('TritonServiceMonitor', () => {
  test('selects the triton Service by its labels and scrapes the port named metrics', () => {
    const chart = testChart();
    new TritonServiceMonitor(chart, 'sm', { namespace: 'ml', interval: '15s', labels: { release: 'kube-prometheus-stack' } });
    const [monitor] = Testing.synth(chart) as Manifest[];
    expect(monitor).toEqual({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: {
        name: 'triton', namespace: 'ml',
        labels: { ...objectLabels('triton'), release: 'kube-prometheus-stack' },
      },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'triton', 'app.kubernetes.io/part-of': 'triton-jetson' } },
        namespaceSelector: { matchNames: ['ml'] },
        endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '15s' }],
      },
    });
    const validate = crdValidator();
    expect(validate(monitor) ? [] : validate.errors).toEqual([]);
    // Negative control: the CRD's schema does catch a wrong interval and a missing selector.
    expect(validate({ ...monitor, spec: { ...monitor.spec, endpoints: [{ port: 'metrics', interval: '30 seconds' }] } })).toBe(false);
    expect(validate({ ...monitor, spec: { endpoints: [] } })).toBe(false);
  });

  test('refuses props the CRD or Kubernetes would refuse', () => {
    const chart = testChart();
    expect(() => new TritonServiceMonitor(chart, 'a', { interval: '30 seconds' })).toThrow(/interval.*Prometheus duration/);
    expect(() => new TritonServiceMonitor(chart, 'b', { labels: { 'bad key!': 'x' } })).toThrow(/labels/);
    // The Prometheus Operator rejects a timeout longer than the interval (issue 20.17).
    expect(() => new TritonServiceMonitor(chart, 'c', { interval: '15s', scrapeTimeout: '20s' }))
      .toThrow(/TritonServiceMonitor\.props\.scrapeTimeout: 20s is longer than interval 15s/);
    expect(() => new TritonServiceMonitor(chart, 'd', { interval: '1m', scrapeTimeout: '60000ms' })).not.toThrow();
    expect(() => new TritonServiceMonitor(chart, 'e', { labels: { [`${'a'.repeat(254)}/x`]: 'y' } })).toThrow(/prefix \(before "\/"\) has at most 253 characters/);
  });
});

describe('metrics.serviceMonitor in the cluster description', () => {
  test('off by default: the default synth is byte-identical to the committed dist/ and has no ServiceMonitor', () => {
    expect(parseClusterConfig({}).metrics).toEqual({ serviceMonitor: { enabled: false, interval: '30s', labels: {} } });
    const yaml = synthYaml({});
    expect(yaml === withoutHeader(readFileSync(path.join(DIST, 'triton-jetson.k8s.yaml'), 'utf-8'))).toBe(true);
    expect(parseAllDocuments(yaml).map((d) => (d.toJS() as Manifest).kind)).not.toContain('ServiceMonitor');
  });

  test('enabled: a ServiceMonitor for the Service as named and namespaced in the description; the scrape annotations stay', () => {
    const manifests = synthManifests({
      namespace: 'inference',
      service: { name: 'triton-fleet' },
      metrics: { serviceMonitor: { enabled: true, interval: '1m', scrapeTimeout: '20s', labels: { release: 'prom' } } },
    });
    const monitor = findManifest(manifests, 'ServiceMonitor');
    const service = findManifest(manifests, 'Service', 'triton-fleet');
    expect(monitor.metadata).toMatchObject({ name: 'triton-fleet', namespace: 'inference', labels: { release: 'prom' } });
    // The selector picks exactly the triton Service, and its port named metrics exists.
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels as Record<string, string>)) expect(service.metadata.labels?.[k]).toBe(v);
    expect((service.spec.ports as { name: string; port: number }[]).find((p) => p.name === 'metrics')?.port).toBe(8002);
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['inference'] });
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '1m', scrapeTimeout: '20s' }]);
    const pod = findManifest(manifests, 'DaemonSet').spec.template.metadata.annotations as Record<string, string>;
    expect(pod['prometheus.io/scrape']).toBe('true');
    const validate = crdValidator();
    expect(validate(monitor) ? [] : validate.errors).toEqual([]);
  });

  test('bad values are reported with their path', () => {
    let error: unknown;
    try {
      parseClusterConfig({ metrics: { serviceMonitor: { enabled: true, interval: 'often', extra: 1 } } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ClusterConfigError);
    const issues = (error as ClusterConfigError).issues.join('\n');
    expect(issues).toMatch(/metrics\.serviceMonitor\.interval.*Prometheus duration/);
    expect(issues).toMatch(/extra/);
  });
});

test('npm run import:crds regenerates the committed imports/monitoring.coreos.com.ts and imports/upgrade.cattle.io.ts byte for byte, offline, leaving cdk8s.yaml alone', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'import-crds-'));
  const cdk8sYaml = readFileSync(path.join(REPO_ROOT, 'cdk8s.yaml'), 'utf-8');
  try {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(REPO_ROOT, 'scripts', 'import-crds.ts')], {
      cwd: REPO_ROOT, stdio: 'pipe', env: { ...process.env, IMPORT_OUTDIR: out },
    });
    for (const file of ['monitoring.coreos.com.ts', 'upgrade.cattle.io.ts']) {
      expect([file, readFileSync(path.join(out, file), 'utf-8') === readFileSync(path.join(REPO_ROOT, 'imports', file), 'utf-8')]).toEqual([file, true]);
    }
    expect(readFileSync(path.join(REPO_ROOT, 'cdk8s.yaml'), 'utf-8')).toBe(cdk8sYaml);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
