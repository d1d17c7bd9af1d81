/**
 * For clusters running the Prometheus Operator: a ServiceMonitor (monitoring.coreos.com/v1)
 * that has Prometheus scrape Triton's metrics through the triton Service's port named
 * `metrics` (8002 in the pod). Optional and off by default (`metrics.serviceMonitor` in
 * the cluster description): without the operator's CRD, Kubernetes refuses the object.
 * The pods' prometheus.io/* annotations stay, for Prometheus set up with annotation-based
 * discovery. What Triton exports on a Jetson: docs/metrics.md.
 *
 * The type comes from `cdk8s import` of the CRD committed in schemas/crds/ (npm run import:crds).
 */
import { Construct } from 'constructs';
import { z } from 'zod';
import { ServiceMonitor, ServiceMonitorSpecEndpointsScheme } from '../imports/monitoring.coreos.com';
import { parseConstructProps } from './config';
import { checkScrapeTimeout, prometheusDuration } from './config/stack-schema';
import { dnsLabel, labelKey, labelValue } from './config/validators';
import { componentLabels } from './labels';
import { TUTORIAL_DEFAULTS } from './tutorial-defaults';

/** Properties of {@link TritonServiceMonitor}. */
export interface TritonServiceMonitorProps {
  /**
   * Name of the triton Service to scrape (also the ServiceMonitor's name).
   * @default "triton"
   */
  readonly serviceName?: string;
  /**
   * Namespace of the Service (and of the ServiceMonitor).
   * @default "default"
   */
  readonly namespace?: string;
  /**
   * Scrape interval, a Prometheus duration such as "15s" or "1m".
   * @default "30s"
   */
  readonly interval?: string;
  /**
   * Scrape timeout, at most the interval.
   * @default - Prometheus' global scrape timeout
   */
  readonly scrapeTimeout?: string;
  /**
   * Extra labels on the ServiceMonitor, for the Prometheus resource's
   * serviceMonitorSelector (e.g. `release: kube-prometheus-stack`).
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Name of the Service port Triton's metrics are served on (lib/triton-service.ts). */
export const METRICS_PORT_NAME = 'metrics';

export const tritonServiceMonitorPropsSchema = z
  .object({
    serviceName: dnsLabel.default(TUTORIAL_DEFAULTS.tritonName),
    namespace: dnsLabel.default(TUTORIAL_DEFAULTS.namespace),
    interval: prometheusDuration.default('30s'),
    scrapeTimeout: prometheusDuration.optional(),
    labels: z.record(labelKey, labelValue).default({}),
  })
  .strict()
  .superRefine(checkScrapeTimeout);

/** A ServiceMonitor selecting the triton Service by its labels and scraping its `metrics` port. */
export class TritonServiceMonitor extends Construct {
  /** The ServiceMonitor object. */
  public readonly serviceMonitor: ServiceMonitor;

  constructor(scope: Construct, id: string, props: TritonServiceMonitorProps = {}) {
    const { serviceName, namespace, interval, scrapeTimeout, labels } = parseConstructProps('TritonServiceMonitor', tritonServiceMonitorPropsSchema, props);
    super(scope, id);
    this.serviceMonitor = new ServiceMonitor(this, 'service-monitor', {
      metadata: { name: serviceName, namespace, labels: { ...componentLabels(serviceName), ...labels } },
      spec: {
        selector: { matchLabels: componentLabels(serviceName) },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [{
          port: METRICS_PORT_NAME,
          path: '/metrics',
          scheme: ServiceMonitorSpecEndpointsScheme.HTTP,
          interval,
          ...(scrapeTimeout !== undefined ? { scrapeTimeout } : {}),
        }],
      },
    });
  }
}
