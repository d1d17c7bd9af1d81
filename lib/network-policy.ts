import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyPort } from '../imports/k8s';
import { tritonNetworkPolicyPropsSchema } from './config/construct-props-schema';
import { parseConstructProps } from './config/parse-props';
import { checkUniqueObjects, namespaceOf } from './k8s-scope';
import { componentLabels } from './labels';
import { ModelSeedJob } from './model-seed-job';
import { NfsProvisioner } from './nfs-provisioner';
import { TritonDaemonSet } from './triton-daemon-set';
import { TUTORIAL_DEFAULTS } from './tutorial-defaults';
import { TRITON_DEFAULT_PORTS, type TritonPorts } from './triton-args';

/** Ports the API server answers on: the `kubernetes` Service's 443 and K3s' own 6443. */
export const API_SERVER_PORTS: readonly number[] = [443, TUTORIAL_DEFAULTS.k3sApiPort];
/** Ports the seeding Job downloads from (HTTP and HTTPS) unless told otherwise. */
export const DEFAULT_SEED_EGRESS_PORTS: readonly number[] = [80, 443];

/** Pods of one workload to confine. */
export interface PolicyTarget {
  /** Labels that select the workload's pods (and no others). */
  readonly podSelector: Readonly<Record<string, string>>;
}

/** Properties of {@link TritonNetworkPolicy}. */
export interface TritonNetworkPolicyProps {
  /**
   * Namespace of the workloads (and the policies).
   * @default - the triton DaemonSet's namespace when it is given, else the Chart's, else "default"
   */
  readonly namespace?: string;
  /**
   * Prefix of the policies' names: `<name>-triton`, `<name>-nfs-provisioner`, `<name>-model-seed`.
   * @default "triton-jetson"
   */
  readonly name?: string;
  /** Triton's pods (a TritonDaemonSet: all pods of its `app`): ingress only to its three ports, from anywhere; no egress. */
  readonly triton: TritonDaemonSet | PolicyTarget & {
    /**
     * Container ports that clients and Prometheus reach.
     * @default { http: 8000, grpc: 8001, metrics: 8002 }
     */
    readonly ports?: TritonPorts;
  };
  /**
   * The NFS provisioner's pods: no ingress; egress only to the API server.
   * @default - no policy (no provisioner in the stack)
   */
  readonly provisioner?: NfsProvisioner | PolicyTarget;
  /**
   * The seeding Job's pods: no ingress; egress to DNS and to the download ports (a
   * ModelSeedJob: 80, 443 and the ports of its mirror or download URLs).
   * @default - no policy (no seeding Job in the stack)
   */
  readonly modelSeed?: ModelSeedJob | PolicyTarget & {
    /**
     * TCP ports it downloads from (a mirror's port is added by the stack).
     * @default [80, 443]
     */
    readonly egressPorts?: readonly number[];
  };
  /**
   * TCP ports of the API server the provisioner talks to.
   * @default [443, 6443]
   */
  readonly apiServerPorts?: readonly number[];
}

/**
 * Optional NetworkPolicies for the stack (cluster.yaml `networkPolicy.enabled`, off by default;
 * see docs/hardening.md). Each workload gets one policy with both policy types, so anything
 * not listed is denied: Triton accepts its three ports from anywhere (NodePort clients,
 * Prometheus, the kubelet's probes) and opens no connection itself (it reads models from a
 * volume the kubelet mounts); the provisioner only reaches the API server; the seeding Job
 * only resolves names and downloads. NFS traffic is the kubelet's, on the host, so no policy
 * touches it. K3s enforces NetworkPolicies with its embedded controller.
 */
export class TritonNetworkPolicy extends Construct {
  /** The policies (L1 `networking.k8s.io/v1` NetworkPolicies), in the order triton, nfs-provisioner, model-seed (those that apply). */
  public readonly policies: ApiObject[] = [];

  constructor(scope: Construct, id: string, props: TritonNetworkPolicyProps) {
    const { namespace: givenNamespace, name, triton, provisioner, modelSeed, apiServerPorts } = parseConstructProps('TritonNetworkPolicy', tritonNetworkPolicyPropsSchema, {
      ...props, triton: targetOf(props.triton), provisioner: targetOf(props.provisioner), modelSeed: targetOf(props.modelSeed),
    });
    super(scope, id);
    checkUniqueObjects(this);
    const namespace = givenNamespace ?? (props.triton instanceof TritonDaemonSet ? props.triton.namespace : namespaceOf(this, undefined));
    const labels = componentLabels(this, 'network-policy');
    const policy = (suffix: string, target: PolicyTarget, ingressPorts: readonly number[], egress: NetworkPolicyEgressRule[]) => {
      this.policies.push(new KubeNetworkPolicy(this, suffix, {
        metadata: { name: `${name}-${suffix}`, namespace, labels },
        spec: {
          podSelector: { matchLabels: { ...target.podSelector } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: ingressPorts.length > 0 ? [{ ports: tcp(ingressPorts) }] : [],
          egress,
        },
      }));
    };

    const ports = triton.ports ?? TRITON_DEFAULT_PORTS;
    policy('triton', triton, [ports.http, ports.grpc, ports.metrics], []);
    if (provisioner) {
      policy('nfs-provisioner', provisioner, [], [{ ports: tcp(apiServerPorts ?? API_SERVER_PORTS) }]);
    }
    if (modelSeed) {
      const dns: NetworkPolicyPort[] = [{ protocol: 'UDP', port: IntOrString.fromNumber(53) }, { protocol: 'TCP', port: IntOrString.fromNumber(53) }];
      policy('model-seed', modelSeed, [], [
        { ports: dns },
        { ports: tcp(modelSeed.egressPorts ?? DEFAULT_SEED_EGRESS_PORTS) },
      ]);
    }
  }
}

/** What a policy needs of a workload: its pods' selector and ports, from the construct itself when given one. */
function targetOf<T>(target: T | TritonDaemonSet | NfsProvisioner | ModelSeedJob): T | PolicyTarget | undefined {
  if (target instanceof TritonDaemonSet) return { podSelector: target.appSelector, ports: target.ports } as PolicyTarget;
  if (target instanceof NfsProvisioner) return { podSelector: target.podSelector };
  if (target instanceof ModelSeedJob) return { podSelector: target.podSelector, egressPorts: [...DEFAULT_SEED_EGRESS_PORTS, ...target.downloadUrls.map(urlPort)] } as PolicyTarget;
  return target;
}

/** The TCP port a download URL reaches (its explicit port, else the scheme's). */
export function urlPort(url: string): number {
  const parsed = new URL(url);
  if (parsed.port !== '') return Number(parsed.port);
  return parsed.protocol === 'http:' ? 80 : 443;
}

function tcp(ports: readonly number[]): NetworkPolicyPort[] {
  return [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port: IntOrString.fromNumber(port) }));
}
