/**
 * Running the planned root steps. Every host runs its `prepare` steps at once; agents run
 * their `install` steps (without starting) once the server is prepared, overlapping the
 * server's install, and their `start` steps once the server's install is done, so the
 * cluster takes about one install time. A failed server stops the agents with a message
 * naming it; a failed agent stops no one.
 */
import { MAKE_STAGING_COMMAND, parseStaging, type AirGapStaging } from '../plan/air-gap';
import type { RootStep } from '../plan/host-plan';
import type { Fleet, HostState } from './fleet';
import { HostError } from './transport';
import { printable, shortenMiddle } from '../../lib/terminal-text';

const PHASES: readonly RootStep['phase'][] = ['prepare', 'install', 'start'];

export async function installHosts(fleet: Fleet): Promise<void> {
  const server = fleet.server;
  // Per phase but the last: has the server finished it (true) or failed (false)?
  const serverDone = PHASES.slice(0, -1).map(() => deferred<boolean>());
  const serverFailed = () => serverDone.forEach((d) => d.resolve(false));
  if (server.summary.status !== 'ok') serverFailed();
  const serverFailure = () => new HostError('step', `K3s agent not started: the server ${server.target.name} failed (${server.summary.error ?? 'see above'})`);
  await fleet.eachLive(async (state) => {
    const isServer = state === server;
    try {
      for (const [i, phase] of PHASES.entries()) {
        if (i > 0 && !isServer && !(await serverDone[i - 1].promise)) throw serverFailure();
        for (const step of state.work!.steps.filter((s) => s.phase === phase)) await runStep(fleet, state, step);
        if (isServer && i < serverDone.length) serverDone[i].resolve(true);
      }
    } catch (err) {
      if (isServer) serverFailed();
      throw err;
    }
  }, 'done');
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Runs one planned step (uploads first), checks its last line, and reports it. */
export async function runStep(fleet: Fleet, state: HostState, step: RootStep): Promise<void> {
  const name = state.target.name;
  const started = Date.now();
  fleet.say(name, `${step.id}: starting`);
  const heartbeat = setInterval(() => fleet.say(name, `${step.id}: still running (${Math.round((Date.now() - started) / 1000)}s)`), 15000);
  try {
    let script = step.script;
    if (step.uploads.length > 0) {
      const staging = await makeStaging(state);
      for (const upload of step.uploads) {
        fleet.say(name, `${step.id}: uploading ${upload.local}`);
        await state.operator!.upload(upload.local, `${staging.dir}/${upload.name}`, upload.kind);
      }
      script = step.stagedScript ? step.stagedScript(staging) : script;
    }
    const stdout = await fleet.root(state, script, step.id);
    if (step.expectLastLine) {
      const last = stdout.trim().split('\n').pop()?.trim();
      if (last !== step.expectLastLine.value) throw new HostError('step', `${step.id}: ${step.expectLastLine.error} (got "${last ?? ''}")`);
    }
    state.summary.changed.push(step.change);
    fleet.say(name, `${step.change} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  } finally {
    clearInterval(heartbeat);
  }
}

/** The SSH user's private upload folder on the host (mktemp -d, mode 0700; plan/air-gap.ts). */
async function makeStaging(state: HostState): Promise<AirGapStaging> {
  const result = await state.operator!.run(MAKE_STAGING_COMMAND);
  const staging = result.code === 0 ? parseStaging(result.stdout) : undefined;
  if (!staging) {
    const why = result.code === 0 ? 'it did not print "<uid> <folder>"' : `exit ${result.code ?? 'signal'}: ${shortenMiddle(printable(result.stderr.trim().split('\n').slice(-2).join(' ')), 300) || 'no output'}`;
    throw new HostError('step', `could not make a private upload folder with mktemp -d as ${state.operator!.label} (${why}); check that /tmp is writable there`);
  }
  return staging;
}
