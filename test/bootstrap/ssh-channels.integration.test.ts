/**
 * Many commands at once over one board's single SSH connection: `upgrade --max-unavailable N`
 * runs a kubectl call on the server per agent in flight (cordon, drain, polls). OpenSSH's sshd
 * allows 10 sessions per connection (MaxSessions, sshd_config(5)) and refuses the 11th channel
 * ("Channel open failure"); the session queues commands beyond its limit, and a board that
 * allows fewer than the limit lowers it instead of failing a step.
 */
import { KnownHosts } from '../../bootstrap/executor/known-hosts';
import { sshOperators } from '../../bootstrap/executor/operator';
import { SshSession } from '../../bootstrap/executor/ssh-session';
import { describeWith } from '../support/prereq';
import { startJetsonHosts, type JetsonHosts } from '../support/jetson-hosts';
import { FAKE_HOST_PREREQUISITES, makeWorkspace, type Workspace } from './harness';

/** More than sshd's default MaxSessions (10). */
const AT_ONCE = 14;

describeWith(FAKE_HOST_PREREQUISITES)('many commands at once over one SSH connection (sshd MaxSessions 10)', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;
  const endpoint = () => {
    const h = fixture.hosts[0];
    return { alias: h.name, host: h.address, port: h.port, user: 'root', identityFiles: [fixture.clientPrivateKeyPath] };
  };
  const together = async (run: (i: number) => Promise<{ code: number | null; stdout: string }>) => {
    const results = await Promise.allSettled(Array.from({ length: AT_ONCE }, (_, i) => run(i)));
    return results.map((r) => (r.status === 'fulfilled' ? `${r.value.code}:${r.value.stdout.trim()}` : `failed: ${(r.reason as Error).message}`));
  };

  beforeAll(async () => {
    fixture = await startJetsonHosts({ count: 1 });
    ws = makeWorkspace(fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  test(`${AT_ONCE} commands at once all run, over one handshake`, async () => {
    const operators = sshOperators({ knownHostsFile: ws.knownHostsPath, trustNewHosts: false, recordNewHosts: false, connectTimeoutMs: 5000, homeDir: ws.home });
    const operator = operators.open(endpoint());
    try {
      await operator.connect();
      expect(await together((i) => operator.run(`sleep 0.5; echo ${i}`))).toEqual(Array.from({ length: AT_ONCE }, (_, i) => `0:${i}`));
      expect(operator.handshakes).toBe(1);
    } finally {
      operator.close();
      await operators.close();
    }
  });

  test('a limit above what the board allows is lowered on its refusal, and every command still runs', async () => {
    const session = new SshSession({
      endpoint: endpoint(), knownHosts: new KnownHosts(ws.knownHostsPath), trustNewHosts: false, recordNewHosts: false,
      connectTimeoutMs: 5000, homeDir: ws.home, maxChannels: AT_ONCE,
    });
    try {
      await session.connect();
      expect(await together((i) => session.exec(`sleep 0.5; echo ${i}`))).toEqual(Array.from({ length: AT_ONCE }, (_, i) => `0:${i}`));
    } finally {
      session.close();
    }
  });
});
