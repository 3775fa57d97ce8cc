// Prometheus metrics under CoreDNS's names and labels (coredns_dns_requests_total, coredns_dns_responses_total,
// coredns_dns_request_duration_seconds), served on the kube-dns Service's metrics port (9153) at /metrics, so
// dashboards and alerts written for CoreDNS read Skiff's DNS. One registry per server (tests run several).
import { createServer, type Server } from 'node:http';
import { Counter, Histogram, Registry } from 'prom-client';

const rcodeNames = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export class DnsMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'coredns_dns_requests_total', help: 'Counter of DNS requests made per zone, protocol and family.',
    labelNames: ['server', 'zone', 'view', 'proto', 'family', 'type'], registers: [this.registry],
  });
  private readonly responses = new Counter({
    name: 'coredns_dns_responses_total', help: 'Counter of response status codes.',
    labelNames: ['server', 'zone', 'view', 'rcode', 'plugin'], registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'coredns_dns_request_duration_seconds', help: 'Histogram of the time (in seconds) each request took per zone.',
    labelNames: ['server', 'zone', 'view', 'type'], registers: [this.registry],
    buckets: [0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192],
  });

  constructor(private readonly server: string) {}

  /** One answered query: zone is the cluster zone with a trailing dot, or "." for forwarded names. */
  observe(o: { zone: string; proto: 'udp' | 'tcp'; family: 4 | 6; type: string; reply: Buffer | undefined; plugin: string; seconds: number }): void {
    const base = { server: this.server, zone: o.zone, view: '' };
    this.requests.inc({ ...base, proto: o.proto, family: String(o.family), type: o.type });
    this.duration.observe({ ...base, type: o.type }, o.seconds);
    if (o.reply && o.reply.length >= 4) {
      const code = o.reply.readUInt16BE(2) & 15;
      this.responses.inc({ ...base, rcode: rcodeNames[code] ?? String(code), plugin: o.plugin });
    }
  }

  /** Serves /metrics on host:port until close(); resolves with the bound port. */
  async listen(host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
    const http: Server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      void this.registry.metrics().then((body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body));
    });
    await new Promise<void>((res, rej) => {
      http.once('error', rej);
      http.listen(port, host, () => res());
    });
    return {
      port: (http.address() as { port: number }).port,
      close: () => new Promise<void>((r) => http.close(() => r())),
    };
  }
}
