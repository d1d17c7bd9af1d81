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
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ServiceMonitor, ServiceMonitorSpecEndpointsScheme } from '../imports/monitoring.coreos.com';
import { tritonServiceMonitorPropsSchema } from './config/construct-props-schema';
import { parseConstructProps } from './config/parse-props';
import { checkConstructRef, propsError } from './construct-refs';
import { checkUniqueObjects, namespaceOf } from './k8s-scope';
import { componentLabels, selectorLabels } from './labels';
import { TritonService } from './triton-service';
import { TUTORIAL_DEFAULTS } from './tutorial-defaults';

/** Properties of {@link TritonServiceMonitor}. */
export interface TritonServiceMonitorProps {
  /**
   * The Service to scrape (its name, namespace and `metrics` port).
   * @default - the Service named by serviceName
   */
  readonly service?: TritonService;
  /**
   * Name of the triton Service to scrape (also the ServiceMonitor's name), when no `service` is given.
   * @default "triton"
   */
  readonly serviceName?: string;
  /**
   * Namespace of the Service (and of the ServiceMonitor).
   * @default - the service's namespace, else the Chart's, else "default"
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

/** A ServiceMonitor selecting the triton Service by its labels and scraping its `metrics` port. */
export class TritonServiceMonitor extends Construct {
  /** The ServiceMonitor object (a `monitoring.coreos.com/v1` ServiceMonitor). */
  public readonly serviceMonitor: ApiObject;

  constructor(scope: Construct, id: string, props: TritonServiceMonitorProps = {}) {
    const { service, ...rest } = props;
    checkConstructRef('TritonServiceMonitor', 'service', service, TritonService);
    const settings = parseConstructProps('TritonServiceMonitor', tritonServiceMonitorPropsSchema, rest);
    if (service && settings.serviceName !== undefined && settings.serviceName !== service.name) {
      throw propsError('TritonServiceMonitor', `serviceName: "${settings.serviceName}" is not the service's name "${service.name}"; give one of the two`);
    }
    if (service && settings.namespace !== undefined && settings.namespace !== service.namespace) {
      throw propsError('TritonServiceMonitor', `namespace: "${settings.namespace}" is not the service's namespace "${service.namespace}"`);
    }
    super(scope, id);
    checkUniqueObjects(this);
    const { interval, scrapeTimeout, labels } = settings;
    const serviceName = service?.name ?? settings.serviceName ?? TUTORIAL_DEFAULTS.tritonName;
    const namespace = service?.namespace ?? namespaceOf(this, settings.namespace);
    this.serviceMonitor = new ServiceMonitor(this, 'service-monitor', {
      metadata: { name: serviceName, namespace, labels: { ...componentLabels(this, serviceName), ...labels } },
      spec: {
        selector: { matchLabels: selectorLabels(serviceName) },
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
