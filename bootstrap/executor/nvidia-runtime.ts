/**
 * After the installs, on boards that run K3s' containerd: did K3s register the NVIDIA
 * runtime? K3s adds it only if nvidia-container-runtime was there when it started, so a
 * runtime installed later needs a K3s restart (plan/nvidia-runtime.ts). Each host's
 * `verify` step runs once its K3s is up; a host whose K3s still lacks the runtime fails.
 */
import { describeRuntimeRegistration, parseRuntimeRegistration } from '../plan/nvidia-runtime';
import type { Fleet } from './fleet';
import { HostError } from './transport';

export async function verifyNvidiaRuntimes(fleet: Fleet): Promise<void> {
  await fleet.eachLive(async (state) => {
    for (const step of state.work?.steps.filter((s) => s.id === 'nvidia-runtime') ?? []) {
      const service = state.work!.install.serviceName;
      const outcome = describeRuntimeRegistration(parseRuntimeRegistration(await fleet.root(state, step.script, step.id)), service);
      if (outcome.error) throw new HostError('step', outcome.error);
      if (outcome.changed) {
        state.summary.changed.push(outcome.changed);
        fleet.say(state.target.name, outcome.changed);
      }
      if (outcome.unchanged) state.summary.unchanged.push(outcome.unchanged);
    }
  });
}
