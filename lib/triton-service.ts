import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IntOrString, KubeService } from '../imports/k8s';
import { tritonServicePropsSchema } from './config/construct-props-schema';
import { parseConstructProps } from './config/parse-props';
import { checkConstructRef, propsError } from './construct-refs';
import { checkUniqueObjects, namespaceOf, podsIn } from './k8s-scope';
import { componentLabels } from './labels';
import { TRITON_DEFAULT_PORTS, type TritonPorts } from './triton-args';
import { TritonDaemonSet } from './triton-daemon-set';

/** NodePorts of Triton's three endpoints. */
export interface TritonNodePorts {
  /** NodePort of the HTTP/REST endpoint. */
  readonly http: number;
  /** NodePort of the gRPC endpoint. */
  readonly grpc: number;
  /** NodePort of the metrics endpoint. */
  readonly metrics: number;
}

/** Properties of {@link TritonService}. */
export interface TritonServiceProps {
  /**
   * The Triton DaemonSet to route to: its `app` label is the selector, its ports the targets.
   * @default - pods labelled app=triton on the tutorial's ports
   */
  readonly triton?: TritonDaemonSet;
  /**
   * Name of the Service.
   * @default "triton"
   */
  readonly name?: string;
  /**
   * Namespace (Triton's).
   * @default - the triton DaemonSet's namespace, else the Chart's, else "default"
   */
  readonly namespace?: string;
  /**
   * Labels of the Triton pods to route to, when no `triton` is given.
   * @default { app: "triton" }
   */
  readonly selector?: Readonly<Record<string, string>>;
  /**
   * Container ports of Triton (also the Service's ports), when no `triton` is given.
   * @default { http: 8000, grpc: 8001, metrics: 8002 }
   */
  readonly targetPorts?: TritonPorts;
  /**
   * NodePorts (30000-32767).
   * @default { http: 30800, grpc: 30801, metrics: 30802 }
   */
  readonly nodePorts?: TritonNodePorts;
  /**
   * "Local" keeps a request on the node it arrived at (that node's GPU) and the client's
   * source address; "Cluster" spreads requests over every ready Triton.
   * @default "Cluster"
   */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
}

/** The tutorial's NodePort Service in front of every node's Triton. */
export class TritonService extends Construct {
  /** The Service object (an L1 `v1` Service). */
  public readonly service: ApiObject;
  /** Name of the Service. */
  public readonly name: string;
  /** Namespace of the Service. */
  public readonly namespace: string;
  /** Its ports (the Service port equals Triton's container port), by endpoint. */
  public readonly ports: TritonPorts;
  /** Its NodePorts, by endpoint. */
  public readonly nodePorts: TritonNodePorts;
  /** Labels of the pods it routes to. */
  public readonly selector: Readonly<Record<string, string>>;
  /**
   * The pods it routes to (in its namespace), as a cdk8s-plus selection: a peer for
   * `kplus.NetworkPolicy` rules, from any namespace (e.g. allow only these pods' clients).
   * Renders nothing.
   */
  public readonly pods: kplus.Pods;

  private plus?: kplus.Service;

  constructor(scope: Construct, id: string, props: TritonServiceProps = {}) {
    const { triton, ...rest } = props;
    checkConstructRef('TritonService', 'triton', triton, TritonDaemonSet);
    const settings = parseConstructProps('TritonService', tritonServicePropsSchema, rest);
    if (triton && settings.selector !== undefined) throw propsError('TritonService', 'selector: give either triton or selector (the triton DaemonSet\'s app label is the selector)');
    if (triton && settings.targetPorts !== undefined) throw propsError('TritonService', 'targetPorts: give either triton or targetPorts (the triton DaemonSet\'s ports are the targets)');
    if (triton && settings.namespace !== undefined && settings.namespace !== triton.namespace) {
      throw propsError('TritonService', `namespace: "${settings.namespace}" is not the triton DaemonSet's namespace "${triton.namespace}" (a Service selects pods of its own namespace)`);
    }
    super(scope, id);
    checkUniqueObjects(this);
    const { name, nodePorts, externalTrafficPolicy } = settings;
    this.name = name;
    this.namespace = settings.namespace ?? triton?.namespace ?? namespaceOf(this, undefined);
    this.ports = triton?.ports ?? settings.targetPorts ?? TRITON_DEFAULT_PORTS;
    this.nodePorts = nodePorts;
    this.selector = { ...(triton?.appSelector ?? settings.selector ?? { app: 'triton' }) };
    this.pods = podsIn(this, this.selector, this.namespace);
    const port = (portName: keyof TritonPorts) => ({
      name: portName,
      protocol: 'TCP',
      port: this.ports[portName],
      targetPort: IntOrString.fromString(portName),
      nodePort: nodePorts[portName],
    });
    this.service = new KubeService(this, 'service', {
      metadata: { name, namespace: this.namespace, labels: componentLabels(this, name) },
      spec: {
        type: 'NodePort',
        selector: { ...this.selector },
        externalTrafficPolicy,
        ports: [port('http'), port('grpc'), port('metrics')],
      },
    });
  }

  /**
   * This Service as a cdk8s-plus `Service`, for cdk8s-plus constructs that take one, e.g.
   * `kplus.IngressBackend.fromService(triton.plusService, { port: 8000 })`. A reference: it
   * lives outside your app's tree and adds nothing to the manifests (the Service is this
   * construct's own object).
   */
  public get plusService(): kplus.Service {
    if (!this.plus) {
      const detached = new Chart(new App(), 'reference', { namespace: this.namespace, disableResourceNameHashes: true });
      this.plus = new kplus.Service(detached, 'service', {
        metadata: { name: this.name, namespace: this.namespace },
        type: kplus.ServiceType.NODE_PORT,
        ports: (['http', 'grpc', 'metrics'] as const).map((p) => ({ name: p, port: this.ports[p], targetPort: this.ports[p], nodePort: this.nodePorts[p] })),
      });
    }
    return this.plus;
  }
}
