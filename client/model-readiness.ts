/**
 * Why a model is not ready: missing from the repository, or there but not loaded (with
 * Triton's state and reason when the repository extension answers).
 */
import { TritonResponseError, UsageError } from './errors';
import { KServeClient, printable } from './kserve-client';

/** Tells "not in the repository" from "there but not loaded", with Triton's reason when it has one. */
export async function modelNotReadyError(client: KServeClient, name: string, version: string): Promise<Error> {
  const label = version === '' ? `model '${name}'` : `model '${name}' version ${version}`;
  let entries;
  try {
    entries = (await client.repositoryIndex()).filter((e) => e.name === name);
  } catch (err) {
    if (!(err instanceof TritonResponseError)) throw err;
    entries = undefined; // repository extension disabled: fall back to the metadata error
  }
  if (entries !== undefined) {
    if (entries.length === 0) {
      return new UsageError(
        `${label} not found on Triton at ${client.baseUrl}: it is not in the model repository. ` +
          'Check the name (-m) and that its folder is in the models volume',
      );
    }
    const entry = entries.find((e) => version === '' || e.version === version) ?? entries[0];
    const state = entry.state ?? 'not ready';
    return new UsageError(
      `${label} is not ready on Triton at ${client.baseUrl} (state ${printable(state).slice(0, 40)}${entry.reason ? `: ${printable(entry.reason).slice(0, 500)}` : ''}). ` +
        'Check the Triton pod log (`kubectl logs -l app=triton`)',
    );
  }
  try {
    await client.modelMetadata(name, version);
  } catch (err) {
    if (err instanceof TritonResponseError) {
      const notFound = /unknown model|not found/i.test(err.serverMessage);
      return new UsageError(
        `${label} ${notFound ? 'not found' : 'is not ready'} on Triton at ${client.baseUrl}: ${err.serverMessage}`,
      );
    }
    throw err;
  }
  return new UsageError(`${label} is not ready on Triton at ${client.baseUrl}; check the Triton pod log (\`kubectl logs -l app=triton\`)`);
}
