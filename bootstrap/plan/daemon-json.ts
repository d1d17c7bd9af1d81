/**
 * Docker's /etc/docker/daemon.json: make "nvidia" the default runtime (step 1 of the
 * tutorial) while keeping every other key, so K3s pods started through Docker reach the GPU.
 */
import { heredoc } from './shell';

export const DAEMON_JSON_PATH = '/etc/docker/daemon.json';
/** Backup taken before the first change; `reset` restores it. */
export const DAEMON_JSON_BACKUP = `${DAEMON_JSON_PATH}.triton-jetson.bak`;

export type DaemonJsonPlan =
  | { readonly kind: 'unchanged'; readonly text: string }
  | { readonly kind: 'update'; readonly before: string; readonly after: string; readonly previousDefault: string | undefined }
  | { readonly kind: 'error'; readonly message: string };

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decides what daemon.json must become. `text` is the current file (undefined when it does
 * not exist). Malformed JSON, a non-object, or no `runtimes.nvidia` entry is an error: the
 * file is left alone and the message says what to fix.
 */
export function planDaemonJson(text: string | undefined): DaemonJsonPlan {
  if (text === undefined) {
    return { kind: 'error', message: `${DAEMON_JSON_PATH} does not exist; install JetPack's nvidia-docker2 (apt-get install nvidia-docker2), which registers the nvidia runtime there` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { kind: 'error', message: `${DAEMON_JSON_PATH} is not valid JSON (${(err as Error).message}); fix it by hand, the file was left untouched` };
  }
  if (!isObject(parsed)) {
    return { kind: 'error', message: `${DAEMON_JSON_PATH} must hold a JSON object; fix it by hand, the file was left untouched` };
  }
  const runtimes = parsed.runtimes;
  if (!isObject(runtimes) || !isObject(runtimes.nvidia)) {
    return { kind: 'error', message: `${DAEMON_JSON_PATH} has no "runtimes.nvidia" entry; install nvidia-docker2 / nvidia-container-runtime (JetPack ships them) so Docker knows the nvidia runtime` };
  }
  const previousDefault = parsed['default-runtime'];
  if (previousDefault === 'nvidia') return { kind: 'unchanged', text };
  // Same key order as before; the new key goes last, an existing one keeps its place.
  const merged: JsonObject = { ...parsed, 'default-runtime': 'nvidia' };
  const after = `${JSON.stringify(merged, null, 4)}\n`;
  return {
    kind: 'update',
    before: text,
    after,
    previousDefault: typeof previousDefault === 'string' ? previousDefault : undefined,
  };
}

/**
 * Root script that replaces daemon.json atomically: backup once, temp file in the same
 * folder, `mv` over the original, then restart Docker (the content changed).
 */
export function writeDaemonJsonScript(after: string): string {
  return [
    'set -eu',
    `f=${DAEMON_JSON_PATH}`,
    `[ -e ${DAEMON_JSON_BACKUP} ] || cp -p "$f" ${DAEMON_JSON_BACKUP}`,
    'tmp=$(mktemp /etc/docker/.daemon.json.XXXXXX)',
    'trap \'rm -f "$tmp"\' EXIT',
    heredoc('cat > "$tmp"', after),
    'chmod 644 "$tmp"',
    'mv -f "$tmp" "$f"',
    'trap - EXIT',
    'systemctl restart docker',
  ].join('\n');
}

/** Root script that restarts Docker (daemon.json already right but not yet in effect). */
export const RESTART_DOCKER_SCRIPT = 'set -eu\nsystemctl restart docker';

/** Command printing Docker's default runtime. */
export const DOCKER_DEFAULT_RUNTIME_COMMAND = "docker info --format '{{.DefaultRuntime}}'";

/**
 * Root script for `reset`: put the backup back (restart Docker only if that changes the
 * file), and drop the backup. Prints "restored", "same" or "no-backup".
 */
export const RESTORE_DAEMON_JSON_SCRIPT = [
  'set -eu',
  `f=${DAEMON_JSON_PATH}`,
  `b=${DAEMON_JSON_BACKUP}`,
  'if [ ! -e "$b" ]; then echo no-backup; exit 0; fi',
  'if cmp -s "$b" "$f"; then rm -f "$b"; echo same; exit 0; fi',
  'mv -f "$b" "$f"',
  'systemctl restart docker',
  'echo restored',
].join('\n');
