/**
 * A scripted Kubernetes API server on loopback HTTPS, for the client's `verify --wait`
 * (client/kube-api.ts, client/rollout.ts) where a real one cannot misbehave on purpose:
 * its certificates are made with openssl for this run (a CA, a server certificate for
 * 127.0.0.1, a client certificate), each request is recorded (path, bearer token, whether a
 * client certificate was presented), and each answer comes from the test's handler.
 * The real API server is used in test/k8s/rollout-wait.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand, Prerequisite } from './prereq';

export const fakeKubeApiPrerequisites: Prerequisite[] = [{ name: 'openssl', present: hasCommand('openssl'), hint: 'apt-get install openssl' }];

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
  readonly clientCertificate: boolean;
}

export type KubeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface FakeKubeApi {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** Folder holding ca.crt, client.crt, client.key (and other-ca.crt, a CA that signed nothing here). */
  readonly dir: string;
  readonly requests: RecordedRequest[];
  /** Replaces the answer to every later request. */
  handle(handler: KubeHandler): void;
  /** A kubeconfig (YAML text) for this server; `user` replaces the user entry. */
  kubeconfig(user?: Record<string, unknown>, cluster?: Record<string, unknown>): string;
  close(): Promise<void>;
}

/** Answers JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startFakeKubeApi(handler: KubeHandler): Promise<FakeKubeApi> {
  const dir = mkdtempSync(join(tmpdir(), 'fake kube api '));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=fake-kube-ca');
  openssl('req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '1', '-subj', '/CN=other-ca');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kube-apiserver');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:kubernetes\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext');
  openssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/O=system:masters/CN=admin');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '1', '-extfile', 'client.ext');

  let current = handler;
  const requests: RecordedRequest[] = [];
  const server: Server = createServer({
    key: readFileSync(join(dir, 'server.key')),
    cert: readFileSync(join(dir, 'server.crt')),
    ca: readFileSync(join(dir, 'ca.crt')),
    requestCert: true,
    rejectUnauthorized: false,
  }, (req, res) => {
    const socket = req.socket as TLSSocket;
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, clientCertificate: socket.authorized === true });
    current(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const b64 = (file: string) => readFileSync(join(dir, file)).toString('base64');
  return {
    url,
    dir,
    requests,
    handle(next) { current = next; },
    kubeconfig(user, cluster) {
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'fake', cluster: cluster ?? { server: url, 'certificate-authority-data': b64('ca.crt') } }],
        users: [{ name: 'fake', user: user ?? { 'client-certificate-data': b64('client.crt'), 'client-key-data': b64('client.key') } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
        'current-context': 'fake',
      };
      return JSON.stringify(config, null, 2);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A DaemonSet as the API server returns it (only what client/rollout.ts reads, plus noise). */
export function daemonSetObject(name: string, image: string, status: { generation?: number; observed?: number; desired: number; updated: number; available: number }): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default', generation: status.generation ?? 1, uid: 'u1', resourceVersion: '42' },
    spec: {
      selector: { matchLabels: { app: name } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'triton-jetson', image }] } },
    },
    status: {
      observedGeneration: status.observed ?? status.generation ?? 1,
      desiredNumberScheduled: status.desired,
      currentNumberScheduled: status.desired,
      numberMisscheduled: 0,
      numberReady: status.available,
      ...(status.updated > 0 ? { updatedNumberScheduled: status.updated } : {}),
      ...(status.available > 0 ? { numberAvailable: status.available } : {}),
    },
  };
}

/** A pod of that DaemonSet on `node`. */
export function podObject(name: string, node: string, image: string, state: { ready: boolean; waiting?: string; restarts?: number; terminating?: boolean }): object {
  return {
    metadata: { name, labels: { app: 'triton' }, ...(state.terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: node, containers: [{ name: 'triton-jetson', image }] },
    status: {
      phase: state.ready ? 'Running' : 'Pending',
      conditions: [{ type: 'Ready', status: state.ready ? 'True' : 'False' }],
      containerStatuses: [{
        name: 'triton-jetson', ready: state.ready, restartCount: state.restarts ?? 0,
        state: state.waiting ? { waiting: { reason: state.waiting } } : { running: { startedAt: '2026-01-01T00:00:00Z' } },
      }],
    },
  };
}
