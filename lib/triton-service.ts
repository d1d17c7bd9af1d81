import { Construct } from 'constructs';
import { IntOrString, KubeService } from '../imports/k8s';
import { parseConstructProps, tritonServicePropsSchema } from './config';
import { componentLabels } from './labels';
import { TritonPorts } from './triton-daemon-set';

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
   * Name of the Service.
   * @default "triton"
   */
  readonly name?: string;
  /**
   * Namespace.
   * @default "default"
   */
  readonly namespace?: string;
  /**
   * Labels of the Triton pods to route to.
   * @default { app: "triton" }
   */
  readonly selector?: Readonly<Record<string, string>>;
  /**
   * Container ports of Triton.
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
  /** The Service object. */
  public readonly service: KubeService;

  constructor(scope: Construct, id: string, props: TritonServiceProps = {}) {
    const { name, namespace, selector, targetPorts, nodePorts, externalTrafficPolicy } = parseConstructProps('TritonService', tritonServicePropsSchema, props);
    super(scope, id);
    const port = (portName: keyof TritonPorts) => ({
      name: portName,
      protocol: 'TCP',
      port: targetPorts[portName],
      targetPort: IntOrString.fromString(portName),
      nodePort: nodePorts[portName],
    });
    this.service = new KubeService(this, 'service', {
      metadata: { name, namespace, labels: componentLabels(name) },
      spec: {
        type: 'NodePort',
        selector: { ...selector },
        externalTrafficPolicy,
        ports: [port('http'), port('grpc'), port('metrics')],
      },
    });
  }
}
