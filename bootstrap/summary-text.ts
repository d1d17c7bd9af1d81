/**
 * The text summary of `bootstrap`, `reset` and the connected `plan` (= `bootstrap --dry-run`):
 * per node what changed (or, in a plan, what will run), what was already right, warnings and
 * the error. A board's text cannot act on the terminal.
 */
import { terminalLines } from '../lib/terminal-text';
import type { RunSummary } from './executor/options';
import { NODE_NAME_PLACEHOLDER, boardList, groupScripts } from './plan/script-groups';

export function formatSummary(summary: RunSummary): string {
  const lines: string[] = [];
  // A plan shows each distinct script once, after the hosts, with the hosts it will run on.
  const { groups, stepsOf } = groupScripts(summary.hosts.map((h) => ({ name: h.name, steps: h.plannedSteps ?? [] })));
  const title = `${summary.command}${summary.dryRun ? ' (dry run: nothing was changed)' : ''}`;
  lines.push(`${title} — ${summary.ok ? 'OK' : 'FAILED'} in ${(summary.durationMs / 1000).toFixed(1)}s`);
  for (const host of summary.hosts) {
    const board = host.profile ? `, ${host.profile} on ${host.runtime}` : host.runtime ? `, K3s on ${host.runtime}` : '';
    lines.push('', `${host.name} (${host.role}, ${host.address}${board}): ${host.status}`);
    // A plan shows what the preflight read on each board (clock, memory, power mode, ...).
    if (summary.dryRun) for (const c of host.checks) if (c.status === 'ok') lines.push(`  checked:   ${c.name}: ${c.detail}`);
    for (const c of host.changed) lines.push(`  changed:   ${c}`);
    for (const u of host.unchanged) lines.push(`  unchanged: ${u}`);
    for (const w of host.warnings) lines.push(`  warning:   ${w}`);
    if (host.error) lines.push(`  error:     ${host.error}`);
    const ids = stepsOf.get(host.name) ?? [];
    (host.plannedSteps ?? []).forEach((step, i) => lines.push(`  will run:  [${ids[i]}] ${step.title}`));
    if (summary.dryRun && host.status === 'ok' && (host.plannedSteps ?? []).length === 0) lines.push('  will run:  nothing (already right)');
  }
  if (groups.length > 0) {
    lines.push('', `scripts, each once with the hosts it will run on (${NODE_NAME_PLACEHOLDER} stands for each board's name; --json has every host's own):`);
    for (const group of groups) {
      lines.push('', `[${group.id}] ${group.title} — ${boardList(group.boards)}`);
      for (const u of group.uploads) lines.push(`    upload ${u.local} -> ${u.remote}`);
      lines.push(...group.script.split('\n').map((l) => `    | ${l}`));
    }
  }
  if (summary.kubeconfig) {
    lines.push('', `kubeconfig: ${summary.kubeconfig.path}, context "${summary.kubeconfig.context}" ${summary.kubeconfig.changed ? 'updated' : 'unchanged'}`);
    if (summary.command === 'bootstrap') lines.push(`  try: kubectl --context ${summary.kubeconfig.context} get nodes`);
    if (summary.kubeconfig.currentContext) lines.push(`  ${summary.kubeconfig.currentContext}`);
    if (summary.kubeconfig.note) lines.push(`  ${summary.kubeconfig.note}`);
    if (summary.kubeconfig.error) lines.push(`  error:     ${summary.kubeconfig.error}`);
  }
  if (summary.nodes) {
    lines.push(`nodes Ready: ${summary.nodes.ready.join(', ') || 'none'}${summary.nodes.notReady.length ? `; NOT Ready: ${summary.nodes.notReady.join(', ')}` : ''}`);
  }
  return terminalLines(`${lines.join('\n')}\n`);
}
