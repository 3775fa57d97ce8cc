// The cluster DNS server: UDP and TCP listeners on one address, each query answered from the ClusterView
// (answer.ts) or forwarded upstream (forward.ts). UDP replies are truncated to the client's size (TC set); TCP
// carries length-prefixed messages, several per connection, and gives the full answer. close() stops both.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import * as packet from 'dns-packet';
import type { Answer, DecodedPacket } from 'dns-packet';
import { type Resolution, type ZoneOptions, resolve } from './answer.ts';
import { type Forwarder, type Transport } from './forward.ts';
import { decodeQuery, encode, encodeUdp, maxUdpSize, opcode, rawError, reply } from './message.ts';
import type { DnsMetrics } from './metrics.ts';
import type { ClusterView } from './view.ts';

export interface DnsServerOptions extends ZoneOptions {
  view: ClusterView;
  forwarder: Forwarder;
  host: string;
  /** 0 picks a free port (the same one for UDP and TCP) */
  port: number;
  /** the SOA serial: CoreDNS uses the time of the last change it saw */
  serial?: () => number;
  metrics?: DnsMetrics;
}

const tcpIdleMs = 10_000;

export class DnsServer {
  private udp?: Socket;
  private tcp?: Server;
  private readonly conns = new Set<TcpSocket>();
  private readonly stop = new AbortController();
  private readonly started = Math.floor(Date.now() / 1000);

  constructor(private readonly o: DnsServerOptions) {}

  /** Binds UDP and TCP; resolves with the port both listen on. */
  async listen(): Promise<number> {
    const udp = (this.udp = createSocket({ type: this.o.host.includes(':') ? 'udp6' : 'udp4' }));
    udp.on('message', (msg, rinfo) => {
      void this.observed(msg, 'udp', rinfo.family === 'IPv6' ? 6 : 4).then((out) => {
        // a reply that finishes after close() (a slow upstream) has nowhere to go
        if (out && !this.stop.signal.aborted) udp.send(out, rinfo.port, rinfo.address);
      });
    });
    // one bad datagram or a closed client port must not take the server down
    udp.on('error', () => {});
    // TCP first when the port is 0, so UDP takes the same number
    const tcp = (this.tcp = createServer((c) => this.serveTcp(c)));
    await new Promise<void>((res, rej) => {
      tcp.once('error', rej);
      tcp.listen(this.o.port, this.o.host, () => res());
    });
    const port = (tcp.address() as { port: number }).port;
    await new Promise<void>((res, rej) => {
      udp.once('error', rej);
      udp.bind(port, this.o.host, () => res());
    });
    return port;
  }

  async close(): Promise<void> {
    this.stop.abort();
    for (const c of this.conns) c.destroy();
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
    ]);
  }

  private serveTcp(c: TcpSocket): void {
    this.conns.add(c);
    c.setTimeout(tcpIdleMs, () => c.destroy());
    c.on('close', () => this.conns.delete(c));
    c.on('error', () => c.destroy());
    let buf = Buffer.alloc(0);
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.observed(msg, 'tcp', c.remoteFamily === 'IPv6' ? 6 : 4).then((out) => {
          if (!out || c.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          c.write(Buffer.concat([len, out]));
        });
      }
    });
  }

  private async observed(raw: Buffer, transport: Transport, family: 4 | 6): Promise<Buffer | undefined> {
    const m = this.o.metrics;
    const start = performance.now();
    const r = await this.answer(raw, transport).catch((err: unknown) => {
      // a bug or an unexpected socket failure answers this one query SERVFAIL; the server goes on
      process.stderr.write(`skiff dns: query failed: ${err instanceof Error ? err.message : String(err)}\n`);
      return { out: rawError(raw, 'SERVFAIL'), type: 'other', forwarded: false };
    });
    if (!m) return r.out;
    m.observe({
      zone: r.forwarded ? '.' : `${this.o.zone}.`, proto: transport, family, type: r.type, reply: r.out,
      plugin: r.forwarded ? 'forward' : 'kubernetes', seconds: (performance.now() - start) / 1000,
    });
    return r.out;
  }

  /** One query's reply bytes (out undefined: drop it, e.g. a reply sent to us), its type, and whether it went upstream. */
  private async answer(raw: Buffer, transport: Transport): Promise<{ out: Buffer | undefined; type: string; forwarded: boolean }> {
    const q = decodeQuery(raw);
    const local = (out: Buffer | undefined, type = 'other') => ({ out, type, forwarded: false });
    if (!q) return local(rawError(raw, 'FORMERR'));
    if (q.type === 'response') return local(undefined);
    if (opcode(q) !== 0) return local(this.encode(q, reply(q, { rcode: 'NOTIMP' }), transport));
    const question = q.questions?.[0];
    if (!question || q.questions!.length !== 1) return local(this.encode(q, reply(q, { rcode: 'FORMERR' }), transport));
    const r = resolve(question, this.o.view, this.o, this.o.serial?.() ?? this.started);
    if (r.kind === 'forward') {
      const out = (await this.o.forwarder.exchange(raw, transport, this.stop.signal)) ?? this.encode(q, reply(q, { rcode: 'SERVFAIL' }), transport);
      return { out, type: question.type, forwarded: true };
    }
    const answers = r.chase ? [...r.answers, ...(await this.chase(r.chase, question.type, transport))] : r.answers;
    return local(this.encode(q, reply(q, { ...answerBody(r), answers, authoritative: true }), transport), question.type);
  }

  /** The address records of an out-of-zone CNAME target (an ExternalName's host), asked of the upstreams. */
  private async chase(name: string, type: string, transport: Transport): Promise<Answer[]> {
    const query = packet.encode({ type: 'query', id: Math.floor(Math.random() * 65536), flags: packet.RECURSION_DESIRED, questions: [{ name, type: type === 'AAAA' ? 'AAAA' : 'A', class: 'IN' }] });
    const raw = await this.o.forwarder.exchange(query, transport, this.stop.signal);
    const r = raw ? decodeQuery(raw) : undefined;
    return r?.answers ?? [];
  }

  private encode(q: DecodedPacket, p: ReturnType<typeof reply>, transport: Transport): Buffer {
    return transport === 'udp' ? encodeUdp(p, maxUdpSize(q)) : encode(p);
  }
}

function answerBody(r: Extract<Resolution, { kind: 'answer' }>): Parameters<typeof reply>[1] {
  return { rcode: r.rcode, answers: r.answers, authorities: r.authorities, additionals: r.additionals };
}
