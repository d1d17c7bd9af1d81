/** The text summary of `upgrade`: the verdict, where every board stands, and per board what happened. */
import type { RunSummary } from './options';

export function formatUpgradeSummary(summary: RunSummary): string {
  const report = summary.upgrade;
  if (!report) throw new Error('formatUpgradeSummary: not an upgrade summary');
  const lines: string[] = [];
  const title = `upgrade to ${report.target}${summary.dryRun ? ' (dry run: nothing was changed)' : ''}`;
  lines.push(`${title} — ${summary.ok ? 'OK' : report.refused ? 'REFUSED' : 'FAILED'} in ${(summary.durationMs / 1000).toFixed(1)}s`);
  if (report.refused) lines.push(report.refused);
  if (report.failed) lines.push(`failed: ${report.failed.board}: ${report.failed.reason}`);

  const width = Math.max(...report.boards.map((b) => `${b.name} (${b.role})`.length));
  const fromWidth = Math.max(...report.boards.map((b) => (b.from ?? '?').length));
  lines.push('', `boards (at most ${report.maxUnavailable} agent(s) at a time):`);
  for (const b of report.boards) {
    const versions = b.now && b.now !== b.from ? `${(b.from ?? '?').padEnd(fromWidth)} → ${b.now}` : (b.from ?? '?').padEnd(fromWidth);
    lines.push(`  ${`${b.name} (${b.role})`.padEnd(width)}  ${versions.padEnd(fromWidth + 3 + report.target.length)}  ${b.result}`);
  }

  for (const host of summary.hosts) {
    const planned = host.plannedSteps ?? [];
    if (host.changed.length + host.warnings.length + planned.length === 0 && !host.error) continue;
    lines.push('', `${host.name} (${host.role}, ${host.address}): ${host.status}`);
    for (const c of host.changed) lines.push(`  changed:   ${c}`);
    for (const u of host.unchanged) lines.push(`  unchanged: ${u}`);
    for (const w of host.warnings) lines.push(`  warning:   ${w}`);
    if (host.error) lines.push(`  error:     ${host.error}`);
    for (const step of planned) {
      lines.push(`  will run: ${step.title}`);
      for (const u of step.uploads) lines.push(`    upload ${u.local} -> ${u.remote}`);
      lines.push(...step.script.split('\n').map((l) => `    | ${l}`));
    }
  }
  if (report.failed) {
    lines.push('', `Boards not reached were left alone. Fix the cause, then rerun \`triton-jetson upgrade\`: boards already on ${report.target} are skipped.`);
  }
  return `${lines.join('\n')}\n`;
}
