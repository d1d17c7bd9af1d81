/** The shipped seeding script: lint-clean, and the embedded copy matches its source. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SEED_MODELS_SCRIPT } from '../../lib/seed/seed-models-script';
import { MODEL_REPOSITORY_SUBPATH, SEED_MANIFEST_FILE, SEED_STAGING_SUBPATH } from '../../lib/seed/seed-defaults';
import { describeWith, hasCommand } from '../support/prereq';
import { renderScriptModule, SCRIPT_MODULE, SCRIPT_SOURCE } from './embed-seed-script';
import { loadSeedManifestsFromDist } from './seed-fixture';

describe('seed script source', () => {
  it('lib/seed/seed-models-script.ts is generated from lib/seed/seed-models.sh (npx tsx test/seed/embed-seed-script.ts)', () => {
    const source = readFileSync(SCRIPT_SOURCE, 'utf-8');
    expect(SEED_MODELS_SCRIPT).toBe(source);
    expect(readFileSync(SCRIPT_MODULE, 'utf-8')).toBe(renderScriptModule(source));
  });

  it('uses the layout names the constructs export', () => {
    expect(SEED_MODELS_SCRIPT).toContain(`\nmanifest_name=${SEED_MANIFEST_FILE}\n`);
    expect(SEED_MODELS_SCRIPT).toContain(`\nrepo=$root/\${SEED_REPOSITORY_SUBPATH:-${MODEL_REPOSITORY_SUBPATH}}\n`);
    expect(SEED_MODELS_SCRIPT).toContain(`\nstaging=$root/\${SEED_STAGING_SUBPATH:-${SEED_STAGING_SUBPATH}}\n`);
  });

  it('is the script the synthesized ConfigMap ships', () => {
    expect(loadSeedManifestsFromDist().configMapData['seed-models.sh']).toBe(SEED_MODELS_SCRIPT);
  });
});

describeWith([{ name: 'shellcheck', present: hasCommand('shellcheck'), hint: 'bash scripts/test-deps/10-shell.sh' }])('shellcheck', () => {
  it('passes on the script from dist/ as POSIX sh, and catches a planted defect', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seed-shellcheck-'));
    try {
      const file = path.join(dir, 'seed-models.sh');
      writeFileSync(file, loadSeedManifestsFromDist().configMapData['seed-models.sh']);
      const clean = spawnSync('shellcheck', ['--shell=sh', '--severity=style', file], { encoding: 'utf-8' });
      expect(clean.stdout + clean.stderr).toBe('');
      expect(clean.status).toBe(0);
      // The same check fails on a bash-only construct, so a pass means something.
      writeFileSync(file, `${readFileSync(file, 'utf-8')}\nif [[ -n "$repo" ]]; then echo "$repo"; fi\n`);
      const planted = spawnSync('shellcheck', ['--shell=sh', '--severity=style', file], { encoding: 'utf-8' });
      expect(planted.status).not.toBe(0);
      expect(planted.stdout).toContain('SC3010');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('parses with dash -n and busybox sh -n', () => {
    for (const shell of [['dash', '-n'], ['busybox', 'sh', '-n']]) {
      if (!hasCommand(shell[0])) continue;
      execFileSync(shell[0], [...shell.slice(1), '-c', SEED_MODELS_SCRIPT]);
    }
  });
});
