/**
 * Issue 23.6: no message is cut mid-word, and a long one never loses its fix. A problem is
 * still one line naming its field; what comes from outside (a hostile value, a server's text)
 * is bounded by cutting its middle between words, so the field (the start) and the fix (the
 * end) both stay.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ClusterConfigError } from '../../lib/config/config-error';
import { oneLine } from '../../lib/config/one-line';
import { printable } from '../../lib/terminal-text';
import { runSynthIn, makeSandbox } from '../hostile/synth-harness';

const words = (text: string) => text.split(/\s+/).filter(Boolean);
/** Every word of `shown` is a word of `full` (or the cut mark): nothing was cut inside a word. */
function noWordCut(shown: string, full: string): void {
  const whole = new Set(words(full));
  expect(words(shown).filter((w) => w !== '…' && !whole.has(w))).toEqual([]);
}

describe('long messages keep their fix', () => {
  test('an issue of 450 characters of our own words is printed whole', () => {
    const issue = `triton.images.jetpack5: ${'the boards need an image of their own that a registry serves; '.repeat(6)}then set triton.images.jetpack5`;
    expect(issue.length).toBeGreaterThan(400);
    const err = new ClusterConfigError('cluster.yaml', [issue]);
    expect(err.message).toBe(`invalid cluster description cluster.yaml: ${issue}`);
  });

  test('a hostile value makes an issue huge: its middle goes, between words; the field and the fix stay', () => {
    const value = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' ');
    const issue = `nfs.path: "${value}" must be an absolute path; give the exported folder, e.g. /var/nfs/general`;
    const shown = oneLine(issue);
    expect(shown.length).toBeLessThanOrEqual(600);
    expect(shown.startsWith('nfs.path: "w0 w1 ')).toBe(true);
    expect(shown.endsWith('must be an absolute path; give the exported folder, e.g. /var/nfs/general')).toBe(true);
    expect(shown).toContain(' … ');
    noWordCut(shown, issue);
  });

  test('printable() bounds outside text at a word boundary', () => {
    const text = 'the server said: this model failed to load because its backend is missing on this platform and more';
    const shown = printable(text, 60);
    expect(shown.length).toBeLessThanOrEqual(60);
    expect(shown.endsWith('…')).toBe(true);
    noWordCut(shown.replace(/…$/, ''), text);
  });

  test('synth: the image:build fix of a jetpack5 board reaches the user whole (it was cut at 300 characters: "--image <…")', () => {
    const box = makeSandbox();
    try {
      const file = path.join(box.root, 'long.yaml');
      const names = ['one', 'two', 'three', 'four'].map((n) => `xavier-${n}-with-a-long-name`);
      writeFileSync(file, `nodes:\n  server: { name: ${names[0]}, profile: jetpack5 }\n  agents:\n${names.slice(1).map((n) => `    - { name: ${n}, profile: jetpack5 }\n`).join('')}`);
      const { status, lines } = runSynthIn(box.repo, ['--config', file]);
      expect(status).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('build and push it: npm run image:build -- --jetpack 5.1.2 --image <registry>/triton-jetson (docs/image.md), then set triton.images.jetpack5');
      expect(lines[0]).not.toMatch(/\S…/);
    } finally {
      box.remove();
    }
  });
});
