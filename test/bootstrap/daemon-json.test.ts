import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESTORE_DAEMON_JSON_SCRIPT, planDaemonJson, writeDaemonJsonScript } from '../../bootstrap/plan/daemon-json';
import { scratchDirs } from '../support/scratch';

const scratch = scratchDirs();

const JETPACK = '{\n    "runtimes": {\n        "nvidia": {\n            "path": "nvidia-container-runtime",\n            "runtimeArgs": []\n        }\n    }\n}\n';

describe('planDaemonJson', () => {
  test('adds default-runtime nvidia to JetPack\'s file, keeping runtimes untouched', () => {
    const plan = planDaemonJson(JETPACK);
    expect(plan.kind).toBe('update');
    if (plan.kind !== 'update') return;
    expect(JSON.parse(plan.after)).toEqual({ ...JSON.parse(JETPACK), 'default-runtime': 'nvidia' });
    expect(plan.previousDefault).toBeUndefined();
    expect(plan.after.endsWith('\n')).toBe(true);
  });

  test('keeps every other key and its order, replaces another default in place', () => {
    const text = JSON.stringify({ 'log-driver': 'json-file', 'default-runtime': 'runc', runtimes: { nvidia: { path: 'x' } }, 'data-root': '/mnt/docker' });
    const plan = planDaemonJson(text);
    if (plan.kind !== 'update') throw new Error(plan.kind);
    expect(Object.keys(JSON.parse(plan.after))).toEqual(['log-driver', 'default-runtime', 'runtimes', 'data-root']);
    expect(JSON.parse(plan.after)['data-root']).toBe('/mnt/docker');
    expect(plan.previousDefault).toBe('runc');
  });

  test('already nvidia: unchanged', () => {
    expect(planDaemonJson(JSON.stringify({ 'default-runtime': 'nvidia', runtimes: { nvidia: { path: 'x' } } })).kind).toBe('unchanged');
  });

  test.each([
    ['malformed JSON', '{"runtimes": {', /not valid JSON.*left untouched/],
    ['a JSON array', '[1]', /must hold a JSON object/],
    ['no nvidia runtime', '{"runtimes": {}}', /no "runtimes.nvidia" entry.*nvidia-docker2/],
    ['no file', undefined, /does not exist.*nvidia-docker2/],
  ])('%s is an error that names the fix', (_what, text, message) => {
    const plan = planDaemonJson(text);
    expect(plan.kind).toBe('error');
    if (plan.kind === 'error') expect(plan.message).toMatch(message);
  });
});

describe('write and restore scripts (run by dash on a scratch copy)', () => {
  // The scripts use absolute paths; run them with /etc/docker mapped to a temp folder.
  function runScript(script: string, dir: string): string {
    const local = script.split('/etc/docker').join(dir).replace('systemctl restart docker', 'echo RESTARTED');
    return execFileSync('dash', ['-s'], { input: local, encoding: 'utf-8' });
  }

  test('write: backup once, atomic replace, restart; restore puts the original back', () => {
    const dir = scratch('daemon-json-');
    writeFileSync(join(dir, 'daemon.json'), JETPACK);
    const plan = planDaemonJson(JETPACK);
    if (plan.kind !== 'update') throw new Error(plan.kind);
    expect(runScript(writeDaemonJsonScript(plan.after), dir)).toContain('RESTARTED');
    expect(readFileSync(join(dir, 'daemon.json'), 'utf-8')).toBe(plan.after);
    expect(readFileSync(join(dir, 'daemon.json.triton-jetson.bak'), 'utf-8')).toBe(JETPACK);
    // A second write keeps the first backup (the original), not the intermediate file.
    runScript(writeDaemonJsonScript('{"x": 1}\n'), dir);
    expect(readFileSync(join(dir, 'daemon.json.triton-jetson.bak'), 'utf-8')).toBe(JETPACK);
    expect(execFileSync('ls', ['-A', dir], { encoding: 'utf-8' }).split('\n').filter(Boolean).sort())
      .toEqual(['daemon.json', 'daemon.json.triton-jetson.bak']);
    expect(runScript(RESTORE_DAEMON_JSON_SCRIPT, dir)).toContain('restored');
    expect(readFileSync(join(dir, 'daemon.json'), 'utf-8')).toBe(JETPACK);
    expect(runScript(RESTORE_DAEMON_JSON_SCRIPT, dir).trim()).toBe('no-backup');
  });

  test('the same content gives the same script (stable dry-run output)', () => {
    expect(writeDaemonJsonScript('{"a": 1}\n')).toBe(writeDaemonJsonScript('{"a": 1}\n'));
    expect(writeDaemonJsonScript('{"a": 1}\n')).not.toBe(writeDaemonJsonScript('{"a": 2}\n'));
  });

  test('content with a heredoc-looking line is written verbatim', () => {
    const dir = scratch('daemon-json-');
    writeFileSync(join(dir, 'daemon.json'), '{}');
    const tricky = '{\n  "a": "EOF\\n$HOME `id`"\n}\nEOF\n';
    runScript(writeDaemonJsonScript(tricky), dir);
    expect(readFileSync(join(dir, 'daemon.json'), 'utf-8')).toBe(tricky);
  });
});
