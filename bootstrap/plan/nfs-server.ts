/**
 * Optional NFS server preparation (`nfsServer.managed`): the tutorial's NFS server at
 * nfs.server exporting nfs.path, made ready for the nfs-subdir-external-provisioner.
 * One idempotent root script that reports what it changed.
 */
import { shQuote } from './shell';

export interface NfsServerInput {
  /** Exported folder (the description's nfs.path). */
  readonly path: string;
  /** exports(5) clients, e.g. node addresses or "10.0.0.0/24". */
  readonly clients: readonly string[];
  readonly exportOptions: string;
}

/** The /etc/exports line for the export. */
export function exportsLine(input: NfsServerInput): string {
  return `${input.path} ${input.clients.map((c) => `${c}(${input.exportOptions})`).join(' ')}`;
}

/**
 * Root script: install nfs-kernel-server if missing, create the folder (owned by
 * nobody:nogroup, writable), put the export line in /etc/exports (replacing an older line
 * for the same folder), reload the exports when anything changed. Last line:
 * `changed:<space-separated changes>` (empty when all was right).
 */
export function nfsServerScript(input: NfsServerInput): string {
  const path = shQuote(input.path);
  const line = exportsLine(input);
  const escapedPath = input.path.replace(/[.[\]*^$\\/]/g, '\\$&');
  return [
    'set -eu',
    'PATH=$PATH:/usr/sbin:/sbin',
    'changed=',
    "if ! dpkg-query -W -f='${Status}' nfs-kernel-server 2>/dev/null | grep -q 'install ok installed'; then",
    '  export DEBIAN_FRONTEND=noninteractive',
    '  apt-get install -y --no-install-recommends nfs-kernel-server >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends nfs-kernel-server >/dev/null; }',
    '  changed="$changed installed-nfs-kernel-server"',
    'fi',
    `if [ ! -d ${path} ]; then`,
    `  mkdir -p ${path} && chown nobody:nogroup ${path} && chmod 0777 ${path}`,
    '  changed="$changed created-folder"',
    'fi',
    `line=${shQuote(line)}`,
    'if ! grep -qxF "$line" /etc/exports 2>/dev/null; then',
    '  tmp=$(mktemp /etc/.exports.XXXXXX)',
    `  { grep -v '^${escapedPath}[[:space:]]' /etc/exports 2>/dev/null || true; printf '%s\\n' "$line"; } > "$tmp"`,
    '  chmod 644 "$tmp" && mv -f "$tmp" /etc/exports',
    '  changed="$changed exported"',
    'fi',
    'if [ -n "$changed" ]; then exportfs -ra; fi',
    'echo "changed:$changed"',
  ].join('\n');
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
