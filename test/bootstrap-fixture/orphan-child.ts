/**
 * Child process of the "parent killed" test: starts two hosts, prints their addresses
 * as one JSON line, then waits to be SIGKILLed (so no exit hook and no stop() runs).
 */
import { startJetsonHosts } from '../support/jetson-hosts';

startJetsonHosts({ count: 2, users: [] })
  .then((fixture) => {
    process.stdout.write(`${JSON.stringify({ dir: fixture.dir, hosts: fixture.hosts.map((h) => ({ address: h.address, port: h.port })) })}\n`);
    setInterval(() => undefined, 60_000);
  })
  .catch((error) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
