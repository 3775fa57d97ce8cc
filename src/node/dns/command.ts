// `skiff dns --kubeconfig K [--listen 10.43.0.10:53] [--cluster-domain cluster.local] [--upstream host:port]...`:
// the cluster DNS server until SIGTERM/SIGINT. Flags apart from the behaviour (index.ts).
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { RestClient } from '../../client/rest.ts';
import { hostUpstreams, parseUpstream } from './forward.ts';
import { startClusterDns } from './index.ts';

export const dnsHelp = `Usage: skiff dns [flags]

Serves cluster DNS (CoreDNS's kubernetes plugin behaviour) from Services and EndpointSlices, forwarding other
names to the node's resolvers.

Flags:
  --kubeconfig PATH        kubeconfig of the cluster (default $KUBECONFIG or ~/.kube/config)
  --listen HOST:PORT       address for UDP and TCP (default 10.43.0.10:53)
  --cluster-domain D       the cluster zone (default cluster.local)
  --upstream HOST[:PORT]   resolver for other names (repeatable; default: nameservers of --resolv-conf)
  --resolv-conf PATH       where the node's resolvers are listed (default /etc/resolv.conf)
  --forward-timeout MS     per-upstream timeout before SERVFAIL (default 2000)
  --ttl S                  TTL of cluster records (default 5)
  --publish-address ADDR   publish ADDR:<port> as the kube-dns Service's endpoint (an EndpointSlice in kube-system)
  --node-name NAME         names the published slice (default: the host name)
  --metrics-listen H:P     serve Prometheus metrics (CoreDNS names) at /metrics, e.g. 0.0.0.0:9153 (default off)
`;

export async function dnsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      listen: { type: 'string', default: '10.43.0.10:53' },
      'cluster-domain': { type: 'string', default: 'cluster.local' },
      upstream: { type: 'string', multiple: true, default: [] },
      'resolv-conf': { type: 'string', default: '/etc/resolv.conf' },
      'forward-timeout': { type: 'string', default: '2000' },
      ttl: { type: 'string', default: '5' },
      'publish-address': { type: 'string' },
      'node-name': { type: 'string', default: hostname().toLowerCase() },
      'metrics-listen': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(dnsHelp);
    return 0;
  }
  const listen = parseUpstream(values.listen);
  const ttl = Number(values.ttl);
  const timeout = Number(values['forward-timeout']);
  if (!Number.isInteger(listen.port) || listen.port < 0 || listen.port > 65535 || !Number.isInteger(ttl) || ttl < 0 || !(timeout > 0)) {
    process.stderr.write('skiff dns: --listen needs HOST:PORT, --ttl a non-negative integer, --forward-timeout a positive number\n');
    return 2;
  }
  const upstreams = values.upstream.length ? values.upstream.map(parseUpstream) : hostUpstreams(values['resolv-conf'], [listen.host]);
  const client = RestClient.fromKubeconfig(values.kubeconfig, { qps: 0, userAgent: 'skiff-dns' });
  const ctl = new AbortController();
  const onSignal = (): void => ctl.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const dns = await startClusterDns({
      client, host: listen.host, port: listen.port, zone: values['cluster-domain'], ttl, upstreams,
      forwardTimeoutMs: timeout, nsIPs: [listen.host], signal: ctl.signal,
      metrics: values['metrics-listen'] ? parseUpstream(values['metrics-listen']) : undefined,
      publish: values['publish-address'] ? { address: values['publish-address'], nodeName: values['node-name'] } : undefined,
    });
    const metricsAt = dns.metricsPort !== undefined ? `; metrics at http://${parseUpstream(values['metrics-listen']!).host}:${dns.metricsPort}/metrics` : '';
    console.log(`skiff dns: serving ${values['cluster-domain']} on ${listen.host}:${dns.port} (udp, tcp); upstreams ${upstreams.map((u) => `${u.host}:${u.port}`).join(' ') || 'none'}${metricsAt}`);
    await dns.done;
    return 0;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    client.close();
  }
}
