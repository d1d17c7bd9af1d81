/**
 * Optional NFS server preparation (`nfsServer.managed`): the tutorial's NFS server at
 * nfs.server exporting nfs.path, made ready for the nfs-subdir-external-provisioner.
 * One idempotent root script that reports what it changed.
 *
 * Nothing of the cluster description is interpreted by the server's shell: the folder
 * and the exports line reach the script as single-quoted words, the old line for the
 * folder is found by plain string comparison (awk reading the folder from the
 * environment, never a regular expression built from it), and the exports line cannot
 * hold a line break. The schema already refuses what an exports line cannot hold
 * (nfsExportPathProblem, EXPORT_OPTIONS_PATTERN, EXPORT_CLIENT_PATTERN); the plan checks
 * again, so a caller that skips the schema gets an error, not a root shell.
 */
import { EXPORT_CLIENT_PATTERN, EXPORT_OPTIONS_PATTERN } from '../../lib/config/inventory-schema';
import {
  EXPORT_PARENT_FOLDERS, managedExportPathProblem, nfsExportPathProblem, SYSTEM_FOLDER_TREES,
} from '../../lib/config/validators';
import { shQuote } from './shell';

export interface NfsServerInput {
  /** Exported folder (the description's nfs.path). */
  readonly path: string;
  /** exports(5) clients, e.g. node addresses or "10.0.0.0/24". */
  readonly clients: readonly string[];
  readonly exportOptions: string;
}

/** Octal escape (exports(5), /proc/fs/nfsd/exports style) for what would split or break an exports line. */
function exportsWord(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\s\u0000-\u001f\u007f'"\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/**
 * The /etc/exports line for the export: always one line. Schema-valid values are written
 * as they are; anything that would split the line (whitespace, line breaks, quotes,
 * backslashes) is octal-escaped.
 */
export function exportsLine(input: NfsServerInput): string {
  const options = exportsWord(input.exportOptions);
  return `${exportsWord(input.path)} ${input.clients.map((c) => `${exportsWord(c)}(${options})`).join(' ')}`;
}

/** What is wrong with the input for an exports line, field by field (empty when nothing). */
export function nfsServerInputProblems(input: NfsServerInput): string[] {
  const problems: string[] = [];
  const pathProblem = nfsExportPathProblem(input.path) ?? managedExportPathProblem(input.path);
  if (pathProblem) problems.push(`nfs.path ${JSON.stringify(input.path)}: ${pathProblem}`);
  if (!EXPORT_OPTIONS_PATTERN.test(input.exportOptions)) {
    problems.push(`nfsServer.exportOptions ${JSON.stringify(input.exportOptions)}: must be exports(5) options such as "rw,sync,no_subtree_check"`);
  }
  if (input.clients.length === 0) problems.push('nfsServer.clients: give at least one client such as "10.0.0.0/24"');
  for (const client of input.clients) {
    if (!EXPORT_CLIENT_PATTERN.test(client)) problems.push(`nfsServer.clients ${JSON.stringify(client)}: must be an exports(5) client such as "10.0.0.0/24" or "10.0.0.11"`);
  }
  return problems;
}

/**
 * Root script: install nfs-kernel-server if missing, create the folder (owned by
 * nobody:nogroup, writable), put the export line in /etc/exports (replacing an older line
 * for the same folder), reload the exports when anything changed. Last line:
 * `changed:<space-separated changes>` (empty when all was right). Throws when the input
 * is not what the schema allows.
 */
export function nfsServerScript(input: NfsServerInput): string {
  const problems = nfsServerInputProblems(input);
  if (problems.length > 0) throw new Error(`NFS server preparation refused: ${problems.join('; ')}`);
  return renderNfsServerScript(input);
}

/**
 * The script without the input checks: every value is quoted as data. Exported for the
 * hostile-value tests, which prove the quoting holds on its own.
 */
export function renderNfsServerScript(input: NfsServerInput): string {
  const path = shQuote(input.path);
  const line = exportsLine(input);
  return [
    'set -eu',
    'PATH=$PATH:/usr/sbin:/sbin',
    'changed=',
    "if ! dpkg-query -W -f='${Status}' nfs-kernel-server 2>/dev/null | grep -q 'install ok installed'; then",
    '  export DEBIAN_FRONTEND=noninteractive',
    '  apt-get install -y --no-install-recommends nfs-kernel-server >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends nfs-kernel-server >/dev/null; }',
    '  changed="$changed installed-nfs-kernel-server"',
    'fi',
    `dir=${path}`,
    ...realFolderCheck(input.path),
    'if [ ! -d "$dir" ]; then',
    '  mkdir -p -- "$dir" && chown -- nobody:nogroup "$dir" && chmod -- 0777 "$dir"',
    '  changed="$changed created-folder"',
    'fi',
    `line=${shQuote(line)}`,
    `first=${shQuote(exportsWord(input.path))}`,
    'if ! grep -qxF -e "$line" /etc/exports 2>/dev/null; then',
    '  tmp=$(mktemp /etc/.exports.XXXXXX)',
    // Drop an older line for the same folder: its first field equals ours (plain string
    // comparison; the folder comes from the environment, not from the program text).
    '  { [ ! -e /etc/exports ] || TRITON_JETSON_EXPORT="$first" awk \'{ f = $0; sub(/^[ \\t]+/, "", f); n = length(ENVIRON["TRITON_JETSON_EXPORT"]); c = substr(f, n + 1, 1) } !(substr(f, 1, n) == ENVIRON["TRITON_JETSON_EXPORT"] && (c == " " || c == "\\t"))\' /etc/exports; printf \'%s\\n\' "$line"; } > "$tmp"',
    '  chmod 644 "$tmp" && mv -f "$tmp" /etc/exports',
    '  changed="$changed exported"',
    'fi',
    'if [ -n "$changed" ]; then exportfs -ra; fi',
    'echo "changed:$changed"',
  ].join('\n');
}

/**
 * Lines that resolve the folder as the server will export it (exportfs follows symbolic
 * links) and stop, before anything changes, when it is a system folder or a parent of
 * export folders: a link planted on the server would otherwise export its target (issue
 * 20.13). The nearest existing ancestor is resolved (`cd -P`), the rest appended; exit 3.
 */
function realFolderCheck(path: string): string[] {
  const trees = SYSTEM_FOLDER_TREES.flatMap((t) => [shQuote(t), `${shQuote(t)}/*`]).join('|');
  const parents = EXPORT_PARENT_FOLDERS.map((p) => (p.endsWith('/*') ? `${shQuote(p.slice(0, -1))}*` : shQuote(p)));
  const homes = EXPORT_PARENT_FOLDERS.filter((p) => p.endsWith('/*')).map((p) => `${shQuote(p.slice(0, -1))}*/*`).join('|');
  const refuse = `printf 'nfs.path %s is %s on the NFS server, a system folder or the parent of export folders; refusing to export it (give a folder of its own, e.g. /var/nfs/general)\\n' ${shQuote(path)} "$real" >&2; exit 3`;
  return [
    'probe=$dir rest=',
    'while [ ! -d "$probe" ]; do rest=/${probe##*/}$rest; probe=${probe%/*}; [ -n "$probe" ] || probe=/; done',
    'real=$(cd -P -- "$probe" && pwd -P) || exit 3',
    'real=${real%/}$rest',
    '[ -n "$real" ] || real=/',
    'case $real in',
    `  ${trees}) ${refuse} ;;`,
    ...(homes ? [`  ${homes}) ;;`] : []),
    `  ${parents.join('|')}) ${refuse} ;;`,
    'esac',
  ];
}

const CHANGE_TEXT: Readonly<Record<string, string>> = {
  'installed-nfs-kernel-server': 'installed nfs-kernel-server',
  'created-folder': 'created the export folder (nobody:nogroup, 0777)',
  exported: 'exported it in /etc/exports and reloaded (exportfs -ra)',
};

/** The script's last line → the changes, in words. */
export function parseNfsServerChanges(stdout: string): string[] {
  const last = stdout.trim().split('\n').pop() ?? '';
  if (!last.startsWith('changed:')) throw new Error('NFS server preparation printed no result line');
  return last.slice('changed:'.length).trim().split(/\s+/).filter(Boolean).map((c) => CHANGE_TEXT[c] ?? c);
}
