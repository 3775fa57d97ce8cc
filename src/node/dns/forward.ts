// Forwarding names outside the cluster zone to the node's upstream resolvers, like CoreDNS's `forward . /etc/resolv.conf`:
// the client's query bytes go to each upstream in turn (UDP for UDP clients, TCP for TCP clients, so a truncated
// upstream reply reaches the client with TC set and it retries over TCP), each try bounded by a timeout; no answer
// from any upstream means the caller replies SERVFAIL.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { parseResolvConf } from './resolv-conf.ts';

export interface Upstream {
  host: string;
  port: number;
}

export type Transport = 'udp' | 'tcp';

/** "1.2.3.4", "1.2.3.4:5353", "[fd00::1]:53", "fd00::1" → an upstream (port 53 by default). */
export function parseUpstream(s: string): Upstream {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) return { host: v6[1], port: v6[2] ? Number(v6[2]) : 53 };
  const parts = s.split(':');
  if (parts.length === 2) return { host: parts[0], port: Number(parts[1]) };
  return { host: s, port: 53 };
}

/** The node's resolvers from its resolv.conf, without the cluster DNS itself (forwarding to it would loop). */
export function hostUpstreams(resolvConf = '/etc/resolv.conf', exclude: string[] = []): Upstream[] {
  let text = '';
  try {
    text = readFileSync(resolvConf, 'utf8');
  } catch {
    return [];
  }
  return parseResolvConf(text).nameservers.filter((ns) => !exclude.includes(ns)).map((host) => ({ host, port: 53 }));
}

function udpExchange(u: Upstream, query: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket(u.host.includes(':') ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    const finish = (b: Buffer | undefined): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.close();
      resolve(b);
    };
    const onAbort = (): void => finish(undefined);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.on('error', () => finish(undefined));
    sock.on('message', (msg, rinfo) => {
      // only the upstream's reply to this query id counts (a stray datagram is no answer)
      if (rinfo.address === u.host && rinfo.port === u.port && msg.length >= 12 && msg.readUInt16BE(0) === id) finish(msg);
    });
    sock.send(query, u.port, u.host, (err) => err && finish(undefined));
  });
}

function tcpExchange(u: Upstream, query: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = connect({ host: u.host, port: u.port });
    let buf = Buffer.alloc(0);
    const finish = (b: Buffer | undefined): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(b);
    };
    const onAbort = (): void => finish(undefined);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.on('error', () => finish(undefined));
    sock.on('close', () => finish(undefined));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) finish(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    const len = Buffer.alloc(2);
    len.writeUInt16BE(query.length);
    sock.write(Buffer.concat([len, query]));
  });
}

export class Forwarder {
  constructor(readonly upstreams: Upstream[], private readonly timeoutMs = 2000) {}

  /** The first upstream reply to query, or undefined when every upstream failed or timed out. */
  async exchange(query: Buffer, transport: Transport, signal?: AbortSignal): Promise<Buffer | undefined> {
    for (const u of this.upstreams) {
      if (signal?.aborted) return undefined;
      const r = transport === 'udp' ? await udpExchange(u, query, this.timeoutMs, signal) : await tcpExchange(u, query, this.timeoutMs, signal);
      if (r) return r;
    }
    return undefined;
  }
}
