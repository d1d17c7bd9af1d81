/**
 * Why a model is not ready: missing from the repository, or there but not loaded (with
 * Triton's state and reason when the repository extension answers).
 */
import { TritonResponseError, UsageError } from './errors';
import { KServeClient, printable } from './kserve-client';
import type { RepositoryIndexEntry } from './kserve-types';

/**
 * Triton's repository index (POST /v2/repository/index: every model with its state and reason),
 * or undefined when the repository extension is off (an error answer).
 */
export async function repositoryIndexOrUndefined(client: KServeClient): Promise<RepositoryIndexEntry[] | undefined> {
  try {
    return await client.repositoryIndex();
  } catch (err) {
    if (!(err instanceof TritonResponseError)) throw err;
    return undefined;
  }
}

/**
 * Tells "not in the repository" from "there but not loaded", with Triton's reason when it has one.
 * `index`: the repository index already fetched (null: the extension is off), else it is asked.
 */
export async function modelNotReadyError(client: KServeClient, name: string, version: string, index?: RepositoryIndexEntry[] | null): Promise<Error> {
  const label = version === '' ? `model '${name}'` : `model '${name}' version ${version}`;
  const known = index === undefined ? await repositoryIndexOrUndefined(client) : index ?? undefined;
  // Without the repository extension: fall back to the metadata error.
  const entries = known?.filter((e) => e.name === name);
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
      `${label} is not ready on Triton at ${client.baseUrl} (state ${printable(state, 40)}${entry.reason ? `: ${printable(entry.reason, 500)}` : ''}). ` +
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
