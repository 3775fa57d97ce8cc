// Running one probe once, as upstream's prober does: exec through CRI ExecSync (exit 0 = success), httpGet from the
// node to the pod IP (2xx/3xx = success), tcpSocket (a connection opens = success), each bounded by timeoutSeconds.
// Failures carry upstream's message text, used in Unhealthy events.
import { request } from 'node:http';
import { connect, isIPv6 } from 'node:net';
import type { Container, Probe } from 'kubernetes-types/core/v1.js';
import { type CriClient, rpcErrorText } from '../cri/client.ts';

export interface ProbeOutcome {
  ok: boolean;
  /** Why it failed (empty on success). */
  output: string;
}

export interface ProbeTarget {
  cri: CriClient;
  containerId: string;
  podIP: string;
  container: Container;
}

/** A port given by name is looked up among the container's ports. */
function resolvePort(port: number | string | undefined, c: Container): number {
  if (typeof port === 'number') return port;
  const byName = c.ports?.find((p) => p.name === port)?.containerPort;
  const n = byName ?? Number(port);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`unable to resolve port ${String(port)}`);
  return n;
}

/** host:port as Go's net.JoinHostPort writes it (an IPv6 address in brackets). */
function joinHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's words for the connect errors a probe meets ("connection refused" where Node says ECONNREFUSED), so that
 *  Unhealthy messages read as upstream's "dial tcp 10.42.0.5:8080: connect: connection refused". */
const connectErrors: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
};

function httpProbe(host: string, port: number, path: string, headers: Record<string, string>, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', headers: { 'user-agent': 'kube-probe/1.32', accept: '*/*', ...headers }, timeout: timeoutMs }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true, output: '' } : { ok: false, output: `HTTP probe failed with statuscode: ${code}` });
    });
    const url = `http://${joinHostPort(host, port)}${path}`;
    req.on('timeout', () => req.destroy(new Error(`Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      // the timeout's error above is already worded whole
      if (err.message.startsWith('Get "')) return resolve({ ok: false, output: err.message });
      const why = connectErrors[err.code ?? ''];
      resolve({ ok: false, output: `Get "${url}": ${why ? `dial tcp ${joinHostPort(host, port)}: connect: ${why}` : err.message}` });
    });
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (o: ProbeOutcome): void => {
      sock.destroy();
      resolve(o);
    };
    sock.setTimeout(timeoutMs, () => done({ ok: false, output: `dial tcp ${joinHostPort(host, port)}: i/o timeout` }));
    sock.on('connect', () => done({ ok: true, output: '' }));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      done({ ok: false, output: `dial tcp ${joinHostPort(host, port)}: connect: ${connectErrors[err.code ?? ''] ?? err.message}` });
    });
  });
}

export async function runProbe(p: Probe, t: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutS = p.timeoutSeconds ?? 1;
  try {
    if (p.exec) {
      const r = await t.cri.execSync(t.containerId, p.exec.command ?? [], timeoutS);
      const output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
      if (r.exitCode === 0) return { ok: true, output: '' };
      return { ok: false, output: output.trim() || `command ${JSON.stringify((p.exec.command ?? []).join(' '))} exited with ${r.exitCode}` };
    }
    if (p.httpGet) {
      const headers = Object.fromEntries((p.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value]));
      return await httpProbe(p.httpGet.host || t.podIP, resolvePort(p.httpGet.port, t.container), p.httpGet.path || '/', headers, timeoutS * 1000);
    }
    if (p.tcpSocket) return await tcpProbe(p.tcpSocket.host || t.podIP, resolvePort(p.tcpSocket.port, t.container), timeoutS * 1000);
  } catch (err) {
    return { ok: false, output: rpcErrorText(err) };
  }
  return { ok: false, output: 'probe has no handler' };
}
