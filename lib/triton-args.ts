/** tritonserver's arguments: the tutorial's flags, repository polling and the ports. */
import { TUTORIAL_DEFAULTS } from './tutorial-defaults';

/** Where Triton reads its model repository inside the container. */
export const TRITON_MODEL_REPOSITORY_PATH = '/opt/triton/models';
/** Triton's own default ports; flags are passed only for ports that differ. */
export const TRITON_DEFAULT_PORTS: TritonPorts = TUTORIAL_DEFAULTS.tritonPorts;

/** Container ports of Triton's three endpoints. */
export interface TritonPorts {
  /** KServe v2 HTTP/REST. */
  readonly http: number;
  /** KServe v2 gRPC. */
  readonly grpc: number;
  /** Prometheus metrics. */
  readonly metrics: number;
}

/** Options of {@link tritonArgs}. */
export interface TritonArgsOptions {
  /**
   * Container ports; flags are added for those that differ from Triton's defaults.
   * @default TRITON_DEFAULT_PORTS
   */
  readonly ports?: TritonPorts;
  /**
   * Seconds between repository polls.
   * @default 15
   */
  readonly repositoryPollSeconds?: number;
  /**
   * Extra flags appended at the end.
   * @default []
   */
  readonly extraArgs?: readonly string[];
  /**
   * The first flags (a board profile's GPU, repository and backend flags).
   * @default - the tutorial's three (compute capability 5.3, the repository, TensorFlow 2)
   */
  readonly leadingArgs?: readonly string[];
}

/**
 * Flags that keep one bad model from taking a Triton down (docs/profiles.md, "One bad model"):
 * with Triton's default --exit-on-error=true a model that fails to load at start makes
 * tritonserver exit (a crash loop on every board of the shared repository), and with the
 * default --strict-readiness=true /v2/health/ready fails while any model is unavailable. Both
 * flags exist, with these meanings and true as default, in every release the profiles run:
 * triton-inference-server/server src/servers/main.cc at v2.17.0 and v2.19.0,
 * src/command_line_parser.cc at v2.35.0 and v2.56.0. The pod's readiness is then decided by a
 * model the stack seeds (the readiness probe); `verify` reports every model's state and reason.
 */
export const KEEP_SERVING_ARGS: readonly string[] = ['--exit-on-error=false', '--strict-readiness=false'];

/**
 * tritonserver's arguments: the tutorial's three, then polling of the repository so
 * models the seeding Job publishes later load without a restart, and KEEP_SERVING_ARGS.
 */
export function tritonArgs(options: TritonArgsOptions = {}): string[] {
  const ports = options.ports ?? TRITON_DEFAULT_PORTS;
  const leading = options.leadingArgs ?? [
    '--min-supported-compute-capability=5.3',
    `--model-repository=${TRITON_MODEL_REPOSITORY_PATH}`,
    '--backend-config=tensorflow,version=2',
  ];
  const args = [
    ...leading,
    '--model-control-mode=poll',
    `--repository-poll-secs=${options.repositoryPollSeconds ?? 15}`,
    ...KEEP_SERVING_ARGS,
  ];
  if (ports.http !== TRITON_DEFAULT_PORTS.http) args.push(`--http-port=${ports.http}`);
  if (ports.grpc !== TRITON_DEFAULT_PORTS.grpc) args.push(`--grpc-port=${ports.grpc}`);
  if (ports.metrics !== TRITON_DEFAULT_PORTS.metrics) args.push(`--metrics-port=${ports.metrics}`);
  return [...args, ...(options.extraArgs ?? [])];
}

/** The readiness probe's path: the model's readiness (KServe v2), else the server's. */
export function tritonReadinessPath(model: string | undefined): string {
  return model === undefined ? '/v2/health/ready' : `/v2/models/${encodeURIComponent(model)}/ready`;
}
