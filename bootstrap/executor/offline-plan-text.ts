/**
 * `plan --offline` as people read it (issue 23.4): first one line per board (role, profile,
 * runtime, power mode, SSH, what will run), then what the plan can already see, the
 * assumptions and the preflight's checks, then each distinct script once with the boards it
 * runs on, then what follows. A thousand alike boards read as a thousand summary lines and a
 * handful of scripts; `--json` keeps every board's exact scripts.
 */
import { terminalSafe } from '../../lib/terminal-text';
import { NODE_DIGEST_PLACEHOLDER, NODE_NAME_PLACEHOLDER, boardList } from '../plan/script-groups';
import type { OfflineHost, OfflinePlan } from './offline-plan-types';

const RUNTIME_TEXT: Readonly<Record<'docker' | 'containerd', string>> = {
  docker: 'Docker, default runtime nvidia',
  containerd: "K3s' containerd, runtime nvidia",
};

/** Columns padded to their widest cell, the last one free. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`.trimEnd());
}

function willRun(host: OfflineHost): string {
  if (host.error) return `REFUSED: ${host.error}`;
  const steps = host.scripts.map((id, i) => `${id} ${host.steps[i]?.kind ?? ''}`.trim());
  const stopped = host.notes.some((n) => n.startsWith('the preflight will stop this board'));
  return `${steps.join(', ') || 'nothing'}${stopped ? '; STOPPED by the preflight (see below)' : ''}`;
}

/** The notes of every board, each wording once with the boards it concerns. */
function groupedNotes(hosts: readonly OfflineHost[]): string[] {
  const byText = new Map<string, string[]>();
  for (const host of hosts) {
    for (const note of host.notes) {
      const text = note.split(`"${host.name}"`).join(`"${NODE_NAME_PLACEHOLDER}"`);
      byText.set(text, [...(byText.get(text) ?? []), host.name]);
    }
  }
  const placeholder = `"${NODE_NAME_PLACEHOLDER}"`;
  return [...byText].map(([text, boards]) => {
    if (!text.includes(placeholder)) return boards.length === hosts.length ? text : `${boardList(boards)}: ${text}`;
    // One board reads with its own name; several read "each board" where the note names it.
    if (boards.length === 1) return `${boards[0]}: ${text.split(placeholder).join(`"${boards[0]}"`)}`;
    return `${boardList(boards)}: ${text.split(`node ${placeholder}`).join('each board')}`;
  });
}

export function formatOfflinePlan(plan: OfflinePlan): string {
  const lines: string[] = [];
  const boards = plan.hosts.filter((h) => h.role !== 'nfs-server');
  lines.push(`plan --offline: what bootstrap will do to ${boards.length} freshly flashed board${boards.length === 1 ? '' : 's'}; nothing was contacted`
    + `${plan.ok ? '' : ' (REFUSED for some hosts, see below)'}`);
  lines.push(plan.exampleBoards
    ? `no cluster description (${plan.configFile} not found, no --config, $TRITON_JETSON_CONFIG unset): these are the tutorial's four boards, `
      + 'as in cluster.example.yaml; to plan yours: cp cluster.example.yaml cluster.yaml, edit its nodes:, run this again'
    : `cluster description: ${plan.configFile}`);

  lines.push('', 'boards:');
  lines.push(...table([
    ['board', 'role', 'profile', 'runtime', 'power mode', 'ssh', 'will run (scripts below)'],
    ...plan.hosts.map((h) => [
      h.name, h.role, h.profile ?? '-', h.runtime ? RUNTIME_TEXT[h.runtime] : '-', h.powerMode ?? '-',
      `${h.ssh}${h.via ? ` via ${h.via}` : ''}`, willRun(h),
    ]),
  ]));

  const notes = groupedNotes(plan.hosts);
  if (plan.warnings.length + notes.length > 0) {
    lines.push('', 'seen without connecting:');
    for (const w of plan.warnings) lines.push(`  warning: ${w}`);
    for (const n of notes) lines.push(`  board:   ${n}`);
  }

  lines.push('', 'assumed on each freshly flashed board:');
  for (const a of plan.assumptions) lines.push(`  - ${a}`);
  lines.push('', 'the preflight (script P, read-only, first on every board) will check:');
  for (const c of plan.preflight) lines.push(`  - ${c}`);
  lines.push(`host keys are checked against ${plan.knownHostsFile} before anything runs`);
  lines.push(`root: ${plan.rootCommand}`);

  lines.push('', `scripts, each once with the boards it will run on (in order per board; ${NODE_NAME_PLACEHOLDER} stands for each board's name):`);
  lines.push('', `[P] the read-only preflight probe — every host`);
  lines.push(...plan.probe.split('\n').map((l) => `    | ${l}`));
  const total = plan.hosts.length;
  for (const group of plan.scripts) {
    const on = group.boards.length === total && total > 1 ? `all ${total} hosts` : `${group.boards.length === 1 ? '' : `${group.boards.length} boards: `}${boardList(group.boards)}`;
    lines.push('', `[${group.id}] ${group.title} — ${on}`);
    if (group.script.includes(NODE_DIGEST_PLACEHOLDER)) lines.push(`    (the digest differs per board: plan --offline --json shows each board's script)`);
    for (const u of group.uploads) lines.push(`    upload ${u.local} -> ${u.remote}`);
    lines.push(...group.script.split('\n').map((l) => `    | ${l}`));
  }

  lines.push('', 'then:');
  for (const a of plan.afterwards) lines.push(`  - ${a}`);
  return terminalSafe(`${lines.join('\n')}\n`);
}
