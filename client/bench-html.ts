import type { BenchReport } from './bench-report';
export function benchHtml(report: BenchReport): string {
  return `<!doctype html><pre>${JSON.stringify(report)}</pre>`;
}
