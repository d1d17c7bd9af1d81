import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  installScript, isInstallCurrent, parseServerToken, pickAirGapFiles, planK3sInstall, redactedInstallScript, releaseInstallerSource, type K3sInstallInput,
} from '../../bootstrap/plan/k3s-install';
import { labelNodeScript, missingLabels, notReady, parseNodeList } from '../../bootstrap/plan/verify';

const TOKEN = 'f00dfeed-secret-token';
const server: K3sInstallInput = {
  role: 'server', nodeName: 'jm-node-1', serverUrl: 'https://10.0.0.11:6443', serverAddress: '10.0.0.11',
  version: 'v1.34.1+k3s1', runtime: 'docker', disable: ['servicelb', 'traefik'], extraArgs: [], labels: {},
  jetsonLabel: true, source: { kind: 'online', scriptUrl: 'https://get.k3s.io' },
};
const agent: K3sInstallInput = { ...server, role: 'agent', nodeName: 'jm-node-2' };

describe('planK3sInstall', () => {
  test('server: the tutorial\'s flags, pinned version, kubeconfig mode 644, Jetson label', () => {
    const plan = planK3sInstall(server, TOKEN);
    expect(plan.args).toEqual([
      'server', '--docker', '--disable', 'servicelb', '--disable', 'traefik', '--tls-san=10.0.0.11',
      '--node-name=jm-node-1', '--node-label=triton-jetson.dev/jetson=true',
    ]);
    // INSTALL_K3S_FORCE_RESTART: install.sh would otherwise leave a stopped server stopped
    // when nothing changed (issue 12.9).
    expect(plan.env).toEqual({ INSTALL_K3S_VERSION: 'v1.34.1+k3s1', K3S_KUBECONFIG_MODE: '644', INSTALL_K3S_FORCE_RESTART: 'true' });
    expect(plan.serviceName).toBe('k3s');
    // Older installers ignore INSTALL_K3S_FORCE_RESTART: the script starts the server itself if needed.
    expect(installScript(plan, TOKEN)).toContain('\nsystemctl is-active --quiet k3s || systemctl start k3s\n');
    expect(installScript(planK3sInstall(agent, TOKEN), TOKEN)).not.toContain('systemctl');
  });

  test('how the server is started is not part of the fingerprint (no reinstall after upgrading this tool)', () => {
    const plan = planK3sInstall(server, TOKEN);
    const { INSTALL_K3S_FORCE_RESTART: _force, ...installEnv } = plan.env;
    expect(plan.fingerprint).toBe(createHash('sha256').update(JSON.stringify({
      args: plan.args.filter((a) => !a.startsWith('--node-label=')), env: installEnv, token: createHash('sha256').update(`triton-jetson:${TOKEN}`).digest('hex'), binary: undefined,
    })).digest('hex'));
  });

  test('node labels are not part of the fingerprint: a new label is set through the API, never by reinstalling K3s', () => {
    const plain = planK3sInstall(agent, TOKEN);
    const labelled = planK3sInstall({ ...agent, labels: { 'triton-jetson.dev/profile': 'jetpack4', zone: 'mate' } }, TOKEN);
    expect(labelled.args).toContain('--node-label=triton-jetson.dev/profile=jetpack4');
    expect(labelled.fingerprint).toBe(plain.fingerprint);
    expect(planK3sInstall({ ...agent, extraArgs: ['--kubelet-arg=max-pods=60'] }, TOKEN).fingerprint).not.toBe(plain.fingerprint);
  });

  test('agent: K3S_URL, --docker, installed before the server answers (started later)', () => {
    const plan = planK3sInstall({ ...agent, labels: { zone: 'mate' }, extraArgs: ['--kubelet-arg=max-pods=60'] }, TOKEN);
    expect(plan.args).toEqual(['agent', '--docker', '--node-name=jm-node-2', '--node-label=triton-jetson.dev/jetson=true', '--node-label=zone=mate', '--kubelet-arg=max-pods=60']);
    expect(plan.env).toEqual({ INSTALL_K3S_VERSION: 'v1.34.1+k3s1', K3S_URL: 'https://10.0.0.11:6443', INSTALL_K3S_SKIP_START: 'true' });
    expect(plan.serviceName).toBe('k3s-agent');
  });

  test('containerd runtime drops --docker; a non-Jetson gets no Jetson label', () => {
    const plan = planK3sInstall({ ...agent, runtime: 'containerd', jetsonLabel: false }, TOKEN);
    expect(plan.args).toEqual(['agent', '--node-name=jm-node-2']);
  });

  test('the fingerprint follows every setting, the token included, but does not contain it', () => {
    const base = planK3sInstall(server, TOKEN).fingerprint;
    expect(planK3sInstall(server, TOKEN).fingerprint).toBe(base);
    expect(planK3sInstall(server, 'other').fingerprint).not.toBe(base);
    expect(planK3sInstall({ ...server, version: 'v1.33.5+k3s1' }, TOKEN).fingerprint).not.toBe(base);
    expect(planK3sInstall({ ...server, extraArgs: ['--flannel-backend=host-gw'] }, TOKEN).fingerprint).not.toBe(base);
    expect(base).not.toContain(TOKEN);
  });

  test('isInstallCurrent needs the version, the fingerprint and a running service', () => {
    const plan = planK3sInstall(server, TOKEN);
    const facts = { k3sVersion: 'v1.34.1+k3s1', k3sFingerprint: plan.fingerprint, k3sServerActive: true, k3sAgentActive: false };
    expect(isInstallCurrent(plan, facts)).toBe(true);
    expect(isInstallCurrent(plan, { ...facts, k3sServerActive: false })).toBe(false);
    expect(isInstallCurrent(plan, { ...facts, k3sVersion: 'v1.30.6+k3s1' })).toBe(false);
    expect(isInstallCurrent(plan, { ...facts, k3sFingerprint: 'x' })).toBe(false);
  });
});

describe('install script', () => {
  test('exports the token inside the script; the shown script redacts it', () => {
    const plan = planK3sInstall(agent, TOKEN);
    expect(installScript(plan, TOKEN)).toContain(`export K3S_TOKEN=${TOKEN}`);
    const shown = redactedInstallScript(plan);
    expect(shown).not.toContain(TOKEN);
    expect(shown).toContain('export K3S_TOKEN=<redacted>');
    expect(shown).toContain("curl -sfL https://get.k3s.io -o \"$d/install.sh\"");
    expect(shown).toContain('sh "$d/install.sh" agent --docker --node-name=jm-node-2');
  });

  test('the release\'s own installer: install.sh of k3s.version\'s tag, run only when it matches the tag\'s install.sh.sha256sum (real sh)', () => {
    const source = releaseInstallerSource('v1.34.12+k3s1');
    expect(source).toEqual({
      kind: 'online',
      scriptUrl: 'https://raw.githubusercontent.com/k3s-io/k3s/v1.34.12%2Bk3s1/install.sh',
      sha256Url: 'https://raw.githubusercontent.com/k3s-io/k3s/v1.34.12%2Bk3s1/install.sh.sha256sum',
    });
    const script = installScript(planK3sInstall({ ...agent, version: 'v1.34.12+k3s1', source }, TOKEN), TOKEN);
    // The download part of the script, up to running install.sh, against a curl that serves local files.
    const lines = script.split('\n');
    const download = lines.slice(lines.findIndex((l) => l.startsWith('d=$(mktemp')), lines.findIndex((l) => l.startsWith('sh "$d/install.sh"')) + 1).join('\n');
    const work = mkdtempSync(join(tmpdir(), 'k3s-installer-'));
    try {
      const served = join(work, 'served');
      execFileSync('mkdir', ['-p', served, join(work, 'bin')]);
      writeFileSync(join(work, 'bin', 'curl'), `#!/bin/sh\nurl=""; out=""\nwhile [ $# -gt 0 ]; do case "$1" in -o) out=$2; shift ;; -*) ;; *) url=$1 ;; esac; shift; done\n`
        + `case "$url" in https://raw.githubusercontent.com/k3s-io/k3s/v1.34.12%2Bk3s1/*) cp "${served}/\${url##*/}" "$out" ;; *) exit 6 ;; esac\n`);
      chmodSync(join(work, 'bin', 'curl'), 0o755);
      const installer = `#!/bin/sh\ntouch "${work}/installer-ran"\n`;
      const run = (sum: string) => {
        writeFileSync(join(served, 'install.sh'), installer);
        writeFileSync(join(served, 'install.sh.sha256sum'), `${sum}  install.sh\n`);
        rmSync(join(work, 'installer-ran'), { force: true });
        try {
          execFileSync('sh', ['-c', download], { env: { PATH: `${join(work, 'bin')}:${process.env.PATH}`, TMPDIR: work }, encoding: 'utf-8', stdio: 'pipe' });
          return { code: 0, stderr: '' };
        } catch (err) {
          return { code: (err as { status: number }).status, stderr: String((err as { stderr: string }).stderr) };
        }
      };
      expect(run(createHash('sha256').update(installer).digest('hex'))).toEqual({ code: 0, stderr: '' });
      expect(existsSync(join(work, 'installer-ran'))).toBe(true);
      // An installer that is not the release's (tampered, truncated, a proxy's error page) never runs.
      expect(run('0'.repeat(64))).toEqual({ code: 1, stderr: expect.stringContaining('install.sh of K3s v1.34.12+k3s1 does not match its install.sh.sha256sum; not running it') });
      expect(existsSync(join(work, 'installer-ran'))).toBe(false);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('a token with shell characters stays one word', () => {
    const nasty = `a'b "c" $(id) ;`;
    const script = installScript(planK3sInstall(server, nasty), nasty);
    const line = script.split('\n').find((l) => l.startsWith('export K3S_TOKEN='))!;
    expect(execFileSync('dash', ['-c', `${line}; printf %s "$K3S_TOKEN"`], { encoding: 'utf-8' })).toBe(nasty);
  });

  test('air-gap: files from the folder, no download', () => {
    const files = pickAirGapFiles('/srv/k3s/', ['install.sh', 'k3s-arm64', 'k3s-airgap-images-arm64.tar.zst', 'README']);
    expect(files).toEqual({ installScript: '/srv/k3s/install.sh', binary: '/srv/k3s/k3s-arm64', images: '/srv/k3s/k3s-airgap-images-arm64.tar.zst' });
    const digests = { installScriptSha256: '1'.repeat(64), binarySha256: '2'.repeat(64), imagesSha256: '3'.repeat(64) };
    const plan = planK3sInstall({ ...server, source: { kind: 'airgap', files: { ...files, ...digests } } }, TOKEN);
    expect(plan.env.INSTALL_K3S_SKIP_DOWNLOAD).toBe('true');
    const script = redactedInstallScript(plan);
    expect(script).not.toContain('curl');
    // Taken from the SSH user's private mktemp folder, checked against the local digests, run from root's copy.
    expect(script).toContain('staging=/tmp/triton-jetson-airgap.XXXXXXXXXX');
    expect(script).toContain(`take install.sh ${'1'.repeat(64)}\ntake k3s ${'2'.repeat(64)}\ntake k3s-airgap-images-arm64.tar.zst ${'3'.repeat(64)}`);
    expect(script).toContain('install -m 755 "$r/k3s" /usr/local/bin/k3s');
    expect(script).toContain('cp "$r"/k3s-airgap-images-arm64.tar.zst /var/lib/rancher/k3s/agent/images/');
    expect(script).toContain(`sh "$r/install.sh" ${plan.args.join(' ')}`);
    expect(script).not.toMatch(/\/tmp\/triton-jetson-airgap\//);
    const run = installScript(plan, TOKEN, { dir: '/tmp/triton-jetson-airgap.Ab3dEf9hIj', uid: 1001 });
    expect(run).toContain('staging=/tmp/triton-jetson-airgap.Ab3dEf9hIj\nstaging_uid=1001\n');
    expect(() => pickAirGapFiles('/srv/k3s', ['k3s-arm64'])).toThrow(/missing install.sh/);
    expect(() => pickAirGapFiles('/srv/k3s', ['install.sh'])).toThrow(/missing k3s-arm64/);
  });
});

describe('node labels', () => {
  const list = JSON.stringify({
    items: [
      { metadata: { name: 'jm-node-1', labels: { 'triton-jetson.dev/jetson': 'true' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      { metadata: { name: 'jm-node-2', labels: {} }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } },
    ],
  });

  test('readiness and missing labels from `kubectl get nodes -o json`', () => {
    const nodes = parseNodeList(list);
    expect(notReady(['jm-node-1', 'jm-node-2', 'jm-node-3'], nodes)).toEqual(['jm-node-2', 'jm-node-3']);
    expect(missingLabels({ 'triton-jetson.dev/jetson': 'true', zone: 'a' }, nodes[0])).toEqual({ zone: 'a' });
    expect(missingLabels({ 'triton-jetson.dev/jetson': 'true' }, nodes[0])).toEqual({});
    expect(labelNodeScript('jm-node-2', { zone: "a'b", 'triton-jetson.dev/jetson': 'true' }))
      .toBe(`/usr/local/bin/k3s kubectl label node jm-node-2 --overwrite triton-jetson.dev/jetson=true 'zone=a'\\''b'`);
    expect(() => parseNodeList('The connection to the server was refused')).toThrow(/printed no JSON/);
  });
});

test('the secret of a server token file (K3s formats: pkg/clientaccess/token.go)', () => {
  const hash = '75f3e6a0b1c2d3'.padEnd(64, '0');
  expect(parseServerToken(`K10${hash}::server:f00dfeed\n`)).toBe('f00dfeed');
  expect(parseServerToken(`K10${hash}::abcdef.0123456789abcdef\n`)).toBe('abcdef.0123456789abcdef');
  expect(parseServerToken('jetsonmate\n')).toBe('jetsonmate');
  expect(parseServerToken('')).toBeUndefined();
  expect(parseServerToken('a\nb')).toBeUndefined();
  // A CA hash that is not 64 hex digits, or no credentials after "::": K3s refuses them too.
  expect(parseServerToken('K1075f3e6a0b1c2d3::server:f00dfeed')).toBeUndefined();
  expect(parseServerToken(`K10${hash}::server:`)).toBeUndefined();
  expect(parseServerToken('-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n')).toBeUndefined();
});
