// Classifies a query name the way CoreDNS's kubernetes plugin parses a request: inside the cluster zone a name is
// `[_port._proto.|endpoint.]service.namespace.svc.<zone>` or `ip.namespace.pod.<zone>`; reverse names
// (in-addr.arpa / ip6.arpa) carry an address; anything else is outside and goes upstream. Pure; names are compared
// lower-cased and without the trailing dot.

export type ParsedName =
  | { kind: 'outside' }
  /** the zone apex itself (SOA, NS) */
  | { kind: 'apex' }
  /** ns.dns.<zone>: the name server's own address records */
  | { kind: 'ns' }
  /** dns-version.<zone>: kube-dns's schema version TXT record */
  | { kind: 'version' }
  /** a name in the zone that can never exist (too many labels, neither svc nor pod): NXDOMAIN */
  | { kind: 'invalid' }
  | { kind: 'svc' | 'pod'; namespace: string; service: string; endpoint: string; port: string; protocol: string }
  /** a reverse name; ip is undefined when it is not a whole address (a partial zone like 10.in-addr.arpa) */
  | { kind: 'reverse'; ip: string | undefined };

/** "Web.Default.svc.Cluster.Local." → "web.default.svc.cluster.local" */
export function normalizeName(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

function stripUnderscore(label: string): string {
  return label.startsWith('_') ? label.slice(1) : label;
}

export function parseName(qname: string, zone: string): ParsedName {
  const name = normalizeName(qname);
  const z = normalizeName(zone);
  if (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa')) return { kind: 'reverse', ip: reverseToIP(name) };
  if (name === z) return { kind: 'apex' };
  if (!name.endsWith(`.${z}`)) return { kind: 'outside' };
  const base = name.slice(0, -(z.length + 1));
  if (base === 'ns.dns') return { kind: 'ns' };
  if (base === 'dns-version') return { kind: 'version' };
  const segs = base.split('.');
  const podOrSvc = segs.pop()!;
  if (podOrSvc !== 'svc' && podOrSvc !== 'pod') return { kind: 'invalid' };
  const [namespace = '', service = '', ...rest] = segs.reverse();
  // what is left of the service name: one label is an endpoint, two are _port._protocol, more cannot exist
  if (rest.length > 2) return { kind: 'invalid' };
  const endpoint = rest.length === 1 ? rest[0] : '';
  const protocol = rest.length === 2 ? stripUnderscore(rest[0]) : '';
  const port = rest.length === 2 ? stripUnderscore(rest[1]) : '';
  return { kind: podOrSvc, namespace, service, endpoint, port, protocol };
}

/** "4.3.2.1.in-addr.arpa" → "1.2.3.4"; nibble-reversed ip6.arpa → canonical IPv6 text; undefined if partial. */
export function reverseToIP(name: string): string | undefined {
  const n = normalizeName(name);
  if (n.endsWith('.in-addr.arpa')) {
    const parts = n.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) < 256)) return undefined;
    return parts.reverse().join('.');
  }
  if (n.endsWith('.ip6.arpa')) {
    const nibbles = n.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((x) => /^[0-9a-f]$/.test(x))) return undefined;
    const hex = nibbles.reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
    return canonicalIPv6(groups.join(':'));
  }
  return undefined;
}

/** "1.2.3.4" → "4.3.2.1.in-addr.arpa" (the inverse of reverseToIP, for tests and clients). */
export function ipToReverse(ip: string): string {
  if (!ip.includes(':')) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const hex = expandIPv6(ip).replace(/:/g, '');
  return `${[...hex].reverse().join('.')}.ip6.arpa`;
}

/** The 8 groups of an IPv6 address, each 4 hex digits ("fd00::1" → "fd00:0000:…:0001"). */
export function expandIPv6(ip: string): string {
  const [head, tail] = ip.toLowerCase().split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - h.length - t.length;
  return [...h, ...Array<string>(missing).fill('0'), ...t].map((g) => g.padStart(4, '0')).join(':');
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run of zero groups as "::". */
export function canonicalIPv6(ip: string): string {
  const groups = expandIPv6(ip).split(':').map((g) => g.replace(/^0+(?=.)/, ''));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** An endpoint's DNS label: its hostname, else its address with dashes (CoreDNS's endpointHostname). */
export function endpointLabel(hostname: string | undefined, ip: string): string {
  if (hostname) return hostname;
  return ip.includes(':') ? ip.replace(/:/g, '-') : ip.replace(/\./g, '-');
}

/** A pod name label back to its address ("1-2-3-4" → "1.2.3.4", "fd00--1" → "fd00::1"), as CoreDNS reads it. */
export function podLabelToIP(label: string): string {
  const dashes = label.split('-').length - 1;
  return dashes === 3 && !label.includes('--') ? label.replace(/-/g, '.') : label.replace(/-/g, ':');
}
