/**
 * Waiting for the Triton DaemonSets to roll out (`verify --wait`): their status is read through
 * the Kubernetes API (client/kube-api.ts) and judged exactly as `kubectl rollout status` judges
 * a DaemonSet (kubernetes/kubectl, pkg/polymorphichelpers/rollout_status.go,
 * DaemonSetStatusViewer, tag v0.34.4): done when the controller has observed the latest spec
 * (observedGeneration >= generation), every node that should run a pod runs the updated one
 * (updatedNumberScheduled >= desiredNumberScheduled) and every one is available, i.e. Ready for
 * minReadySeconds (numberAvailable >= desiredNumberScheduled). While it is not done, the pods
 * say which node runs which image and why it is not ready. Answers are hostile: each is checked
 * by a schema, and only the fields used here are read.
 */
import { z } from 'zod';
import { KubeApiError } from './kube-api';

/** Largest DaemonSet object read. */
const MAX_DAEMONSET_BYTES = 1024 * 1024;
/** Largest pod list read (one pod is a few KB; 1,000 boards fit). */
const MAX_POD_LIST_BYTES = 32 * 1024 * 1024;

const count = z.number().int().min(0).max(10_000_000).optional();
const daemonSetSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string(), generation: z.number().int().min(0).optional() }),
  spec: z.looseObject({
    updateStrategy: z.looseObject({ type: z.string().optional() }).optional(),
    selector: z.looseObject({ matchLabels: z.record(z.string(), z.string()).optional() }).optional(),
    template: z.looseObject({
      spec: z.looseObject({ containers: z.array(z.looseObject({ name: z.string(), image: z.string().optional() })).optional() }).optional(),
    }).optional(),
  }),
  // Kubernetes omits zero counts.
  status: z.looseObject({
    observedGeneration: count, desiredNumberScheduled: count, updatedNumberScheduled: count, numberAvailable: count,
  }).optional(),
});
export type DaemonSetObject = z.infer<typeof daemonSetSchema>;

const podSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string(), deletionTimestamp: z.string().nullish() }),
  spec: z.looseObject({
    nodeName: z.string().optional(),
    containers: z.array(z.looseObject({ name: z.string(), image: z.string().optional() })).optional(),
  }).optional(),
  status: z.looseObject({
    phase: z.string().optional(),
    conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).optional(),
    containerStatuses: z.array(z.looseObject({
      name: z.string(),
      restartCount: count,
      state: z.looseObject({
        waiting: z.looseObject({ reason: z.string().optional() }).optional(),
        terminated: z.looseObject({ reason: z.string().optional() }).optional(),
      }).optional(),
    })).optional(),
  }).optional(),
});
const podListSchema = z.looseObject({ items: z.array(podSchema) });
type Pod = z.infer<typeof podSchema>;

/** A value from the API server, safe for one line. */
function shown(text: string | undefined, max = 120): string {
  // eslint-disable-next-line no-control-regex
  return (text ?? '').replace(/[\u0000-\u001f\u007f]+/g, '?').slice(0, max);
}

export interface RolloutStatus {
  readonly done: boolean;
  /** kubectl rollout status' own words. */
  readonly message: string;
}

/** kubectl's DaemonSetStatusViewer: is this DaemonSet's rollout done, and what is it waiting for? */
export function rolloutStatus(ds: DaemonSetObject): RolloutStatus {
  const name = JSON.stringify(shown(ds.metadata.name, 63));
  const strategy = ds.spec.updateStrategy?.type ?? 'RollingUpdate';
  if (strategy !== 'RollingUpdate') {
    throw new RolloutError(`daemon set ${name} has updateStrategy ${JSON.stringify(shown(strategy, 20))}: rollout status is only available for the RollingUpdate strategy (what the manifests set); apply dist/ again`);
  }
  const s = ds.status ?? {};
  const desired = s.desiredNumberScheduled ?? 0;
  if ((ds.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) {
    return { done: false, message: 'Waiting for daemon set spec update to be observed...' };
  }
  if ((s.updatedNumberScheduled ?? 0) < desired) {
    return { done: false, message: `Waiting for daemon set ${name} rollout to finish: ${s.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...` };
  }
  if ((s.numberAvailable ?? 0) < desired) {
    return { done: false, message: `Waiting for daemon set ${name} rollout to finish: ${s.numberAvailable ?? 0} of ${desired} updated pods are available...` };
  }
  return { done: true, message: `daemon set ${name} successfully rolled out` };
}

/** The rollout could not be waited for, or did not finish in time: one line. */
export class RolloutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RolloutError';
  }
}

/** The image of the Triton container in a pod template or pod: the container named like the template's first, else the first. */
function imageOf(containers: readonly { name: string; image?: string }[] | undefined, name: string | undefined): string {
  const container = containers?.find((c) => c.name === name) ?? containers?.[0];
  return shown(container?.image ?? '(no image)');
}

/** One node's pod in words: its name, image and state; `settled` when it runs `image` and is Ready. */
export function describePod(pod: Pod, containerName: string | undefined, image: string): { line: string; settled: boolean } {
  const node = shown(pod.spec?.nodeName) || '(not scheduled)';
  const podImage = imageOf(pod.spec?.containers, containerName);
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const container = pod.status?.containerStatuses?.find((c) => c.name === containerName) ?? pod.status?.containerStatuses?.[0];
  let state: string;
  if (pod.metadata.deletionTimestamp) state = 'terminating';
  else if (ready) state = 'ready';
  else {
    const reason = container?.state?.waiting?.reason ?? container?.state?.terminated?.reason;
    // Running without a reason: Triton is loading its models, or its readiness probe fails.
    state = reason === undefined && pod.status?.phase === 'Running' ? 'running, not ready yet' : `not ready (${shown(reason ?? pod.status?.phase ?? 'Pending', 60)})`;
  }
  const restarts = container?.restartCount ? `, ${container.restartCount} restarts` : '';
  const updated = podImage === image ? '' : ' (old image)';
  return {
    line: `${node}: pod ${shown(pod.metadata.name, 80)} runs ${podImage}${updated}, ${state}${restarts}`,
    settled: !pod.metadata.deletionTimestamp && ready && podImage === image,
  };
}

interface Observation {
  readonly name: string;
  readonly status: RolloutStatus;
  readonly image: string;
  readonly desired: number;
  /** Nodes whose pod is not yet the updated one and Ready. */
  readonly unsettled: readonly string[];
}

export interface RolloutWaitOptions {
  readonly namespace: string;
  /** The Triton DaemonSets of the cluster description. */
  readonly daemonSets: readonly string[];
  /** Give up after this long, in milliseconds. */
  readonly timeoutMs: number;
  /** The time limit as the user gave it, for the message. @default timeoutMs */
  readonly timeoutSeconds?: number;
  /** Between polls. @default 2000 */
  readonly pollMs?: number;
  /** Progress, one line at a time, printed when it changes. */
  readonly log: (line: string) => void;
  /** What the context is, for messages, e.g. 'context "triton-jetson"'. */
  readonly where: string;
}

export interface RolloutOutcome {
  readonly daemonSets: readonly { readonly name: string; readonly image: string; readonly nodes: number }[];
}

interface JsonGetter {
  getJson(path: string, what: string, maxBytes: number): Promise<unknown>;
}

/** Polls the DaemonSets until every one is rolled out; throws RolloutError on a lasting error or at the deadline. */
export async function waitForRollout(api: JsonGetter, options: RolloutWaitOptions): Promise<RolloutOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 2000;
  let contacted = false;
  let printed = '';
  let last: readonly Observation[] = [];
  const say = (lines: readonly string[]) => {
    const text = lines.join('\n');
    if (text !== printed) for (const line of lines) options.log(line);
    printed = text;
  };
  for (;;) {
    try {
      last = await Promise.all(options.daemonSets.map((name) => observe(api, options, name)));
      contacted = true;
      if (last.every((o) => o.status.done)) {
        say(last.map((o) => `rollout: ${o.status.message}: ${o.desired === 0 ? 'no node matches its node affinity (kubernetes.io/arch=arm64 and triton.nodeSelector)' : `${o.desired} node(s) run ${o.image}, available`}`));
        return { daemonSets: last.map((o) => ({ name: o.name, image: o.image, nodes: o.desired })) };
      }
      say(last.flatMap((o) => [`rollout: ${o.status.message}`, ...o.unsettled.map((line) => `rollout:   ${line}`)]));
    } catch (err) {
      // A restarting API server (K3s being upgraded) answers nothing for a while; anything else stops the wait.
      if (!(err instanceof KubeApiError) || !err.transient || !contacted) throw asRolloutError(err);
      say([`rollout: ${err.message}; retrying`]);
    }
    const left = deadline - Date.now();
    if (left <= 0) throw timeoutError(options, last);
    await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
  }
}

async function observe(api: JsonGetter, options: RolloutWaitOptions, name: string): Promise<Observation> {
  const ns = encodeURIComponent(options.namespace);
  const what = `daemon set ${JSON.stringify(name)} in namespace ${JSON.stringify(options.namespace)}`;
  let raw: unknown;
  try {
    raw = await api.getJson(`/apis/apps/v1/namespaces/${ns}/daemonsets/${encodeURIComponent(name)}`, what, MAX_DAEMONSET_BYTES);
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) {
      throw new RolloutError(`${what} does not exist (${options.where}): apply the manifests first (kubectl apply -f dist/), or check namespace and triton.name in the cluster description and the kubeconfig's context`);
    }
    throw err;
  }
  const parsed = daemonSetSchema.safeParse(raw);
  if (!parsed.success) throw new RolloutError(`${what}: the API server's answer is not a DaemonSet (${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message})`);
  const ds = parsed.data;
  const status = rolloutStatus(ds);
  const containerName = ds.spec.template?.spec?.containers?.[0]?.name;
  const image = imageOf(ds.spec.template?.spec?.containers, containerName);
  const desired = ds.status?.desiredNumberScheduled ?? 0;
  if (status.done) return { name, status, image, desired, unsettled: [] };
  const selector = Object.entries(ds.spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = selector === '' ? [] : await listPods(api, ns, selector, what);
  const unsettled = pods
    .map((pod) => describePod(pod, containerName, image))
    .filter((p) => !p.settled)
    .map((p) => p.line)
    .sort();
  return { name, status, image, desired, unsettled };
}

async function listPods(api: JsonGetter, ns: string, selector: string, what: string): Promise<Pod[]> {
  const raw = await api.getJson(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`, `pods of ${what}`, MAX_POD_LIST_BYTES);
  const parsed = podListSchema.safeParse(raw);
  if (!parsed.success) throw new RolloutError(`pods of ${what}: the API server's answer is not a pod list (${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message})`);
  return parsed.data.items;
}

function asRolloutError(err: unknown): Error {
  if (err instanceof RolloutError) return err;
  if (err instanceof KubeApiError) return new RolloutError(err.message);
  return err instanceof Error ? err : new Error(String(err));
}

function timeoutError(options: RolloutWaitOptions, last: readonly Observation[]): RolloutError {
  const pending = last.filter((o) => !o.status.done);
  const stuck = pending.flatMap((o) => o.unsettled).slice(0, 3);
  const state = pending.length > 0 ? `: ${pending.map((o) => o.status.message).join('; ')}${stuck.length > 0 ? `; ${stuck.join('; ')}` : ''}` : '';
  return new RolloutError(`the Triton rollout did not finish within ${options.timeoutSeconds ?? options.timeoutMs / 1000} s${state}. `
    + `Raise --wait-timeout if the boards are only slow (a Nano pulls a Triton image and loads its models for minutes); else see kubectl -n ${options.namespace} describe daemonset ${options.daemonSets.join(' ')}`);
}
