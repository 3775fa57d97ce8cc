// One question → the records of the answer, as CoreDNS's kubernetes plugin replies: A/AAAA/SRV/CNAME/PTR/TXT/SOA/NS
// for names in the cluster zone, NXDOMAIN for names that do not exist there and NODATA (NOERROR, empty answer, the
// zone's SOA in authority) for names that exist without records of the asked type. Names outside the zone — and
// reverse names no service or endpoint owns (CoreDNS's `fallthrough in-addr.arpa ip6.arpa`) — are to be forwarded.
// Pure over a ClusterView.
import type { Answer, Question, SoaAnswer } from 'dns-packet';
import { normalizeName, parseName } from './names.ts';
import { type Target, lookup, reverseLookup } from './records.ts';
import { type ClusterView, isIP } from './view.ts';

export interface ZoneOptions {
  /** the cluster domain, e.g. "cluster.local" */
  zone: string;
  /** record TTL in seconds (CoreDNS's default for the kubernetes plugin: 5) */
  ttl: number;
  /** the DNS service's own addresses, answered for ns.dns.<zone> */
  nsIPs: string[];
}

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';

export type Resolution =
  | {
      kind: 'answer';
      rcode: Rcode;
      answers: Answer[];
      authorities: Answer[];
      additionals: Answer[];
      /** an out-of-zone CNAME target whose address records the server should append (ExternalName) */
      chase?: string;
    }
  | { kind: 'forward' };

export const dnsSchemaVersion = '1.1.0';

export function soaRecord(o: ZoneOptions, serial: number): SoaAnswer {
  return {
    name: o.zone, type: 'SOA', class: 'IN', ttl: o.ttl,
    data: { mname: `ns.dns.${o.zone}`, rname: `hostmaster.${o.zone}`, serial, refresh: 7200, retry: 1800, expire: 86400, minimum: o.ttl },
  };
}

function family(type: string): 4 | 6 {
  return type === 'AAAA' ? 6 : 4;
}

function addressRecord(name: string, ip: string, ttl: number): Answer {
  return { name, type: ip.includes(':') ? 'AAAA' : 'A', class: 'IN', ttl, data: ip };
}

function sameFamily(ip: string, f: 4 | 6): boolean {
  return isIP(ip) && (f === 6) === ip.includes(':');
}

/** A/AAAA: every address of the wanted family once; an ExternalName becomes a CNAME to chase. */
function addressAnswers(qname: string, qtype: string, targets: Target[], ttl: number, zone: string): Pick<Extract<Resolution, { kind: 'answer' }>, 'answers' | 'chase'> {
  const cname = targets.find((t) => !isIP(t.host));
  if (cname) {
    const inZone = cname.host === zone || cname.host.endsWith(`.${zone}`);
    return { answers: [{ name: qname, type: 'CNAME', class: 'IN', ttl, data: cname.host }], chase: inZone ? undefined : cname.host };
  }
  const seen = new Set<string>();
  const answers: Answer[] = [];
  for (const t of targets) {
    if (!sameFamily(t.host, family(qtype)) || seen.has(t.host)) continue;
    seen.add(t.host);
    answers.push(addressRecord(qname, t.host, ttl));
  }
  return { answers };
}

/** SRV: one record per (target, port), weights shared out of 100 as CoreDNS does, addresses as additionals. */
function srvAnswers(qname: string, targets: Target[], ttl: number): { answers: Answer[]; additionals: Answer[] } {
  const withPort = targets.filter((t) => t.port !== undefined);
  const weight = withPort.length ? Math.floor(100 / withPort.length) : 0;
  const answers: Answer[] = [];
  const additionals: Answer[] = [];
  const seen = new Set<string>();
  for (const t of withPort) {
    const external = !isIP(t.host);
    const target = external ? t.host : t.name;
    const key = `${target}/${t.port}`;
    if (!seen.has(key)) {
      seen.add(key);
      answers.push({ name: qname, type: 'SRV', class: 'IN', ttl, data: { priority: 0, weight, port: t.port!, target } });
    }
    if (!external && !additionals.some((a) => a.name === t.name && 'data' in a && a.data === t.host)) additionals.push(addressRecord(t.name, t.host, ttl));
  }
  return { answers, additionals };
}

function found(answers: Answer[], additionals: Answer[] = [], chase?: string): Resolution {
  return { kind: 'answer', rcode: 'NOERROR', answers, authorities: [], additionals, chase };
}

function negative(rcode: Rcode, o: ZoneOptions, serial: number): Resolution {
  return { kind: 'answer', rcode, answers: [], authorities: [soaRecord(o, serial)], additionals: [] };
}

function apexAnswer(q: Question, o: ZoneOptions, serial: number): Resolution {
  if (q.type === 'SOA') return found([{ ...soaRecord(o, serial), name: q.name }]);
  if (q.type === 'NS') {
    const ns = `ns.dns.${o.zone}`;
    return found([{ name: q.name, type: 'NS', class: 'IN', ttl: o.ttl, data: ns }], o.nsIPs.map((ip) => addressRecord(ns, ip, o.ttl)));
  }
  return negative('NOERROR', o, serial);
}

/** serial: the zone's SOA serial (CoreDNS uses the time of the last change it saw); depth counts CNAMEs followed. */
export function resolve(q: Question, view: ClusterView, o: ZoneOptions, serial: number, depth = 0): Resolution {
  const p = parseName(q.name, o.zone);
  const zone = normalizeName(o.zone);
  const ttl = o.ttl;
  switch (p.kind) {
    case 'outside':
      return { kind: 'forward' };
    case 'reverse': {
      const names = p.ip && q.type === 'PTR' ? reverseLookup(p.ip, view, zone) : [];
      if (!names.length) return { kind: 'forward' };
      return found(names.map((data) => ({ name: q.name, type: 'PTR', class: 'IN', ttl, data })));
    }
    case 'apex':
      return apexAnswer(q, o, serial);
    case 'ns': {
      const ips = o.nsIPs.filter((ip) => sameFamily(ip, family(q.type)));
      return (q.type === 'A' || q.type === 'AAAA') && ips.length ? found(ips.map((ip) => addressRecord(q.name, ip, ttl))) : negative('NOERROR', o, serial);
    }
    case 'version':
      return q.type === 'TXT' ? found([{ name: q.name, type: 'TXT', class: 'IN', ttl, data: dnsSchemaVersion }]) : negative('NOERROR', o, serial);
    case 'invalid':
      return negative('NXDOMAIN', o, serial);
  }
  const targets = lookup(p, view, zone, normalizeName(q.name));
  // before the first list every name looks absent: SERVFAIL rather than a cached NXDOMAIN (CoreDNS does the same)
  if (!targets) return negative(view.synced() ? 'NXDOMAIN' : 'SERVFAIL', o, serial);
  let r: Resolution;
  if (q.type === 'A' || q.type === 'AAAA') {
    const { answers, chase } = addressAnswers(q.name, q.type, targets, ttl, zone);
    // an ExternalName pointing into the zone is followed here, one step (no CNAME loops)
    const cname = answers[0]?.type === 'CNAME' && !chase ? (answers[0].data as string) : undefined;
    const inZone = cname && depth === 0 ? resolve({ name: cname, type: q.type }, view, o, serial, 1) : undefined;
    r = found(inZone?.kind === 'answer' ? [...answers, ...inZone.answers] : answers, [], chase);
  } else if (q.type === 'SRV') {
    const { answers, additionals } = srvAnswers(q.name, targets, ttl);
    r = found(answers, additionals);
  } else if (q.type === 'CNAME') {
    const ext = targets.find((t) => !isIP(t.host));
    r = found(ext ? [{ name: q.name, type: 'CNAME', class: 'IN', ttl, data: ext.host }] : []);
  } else {
    r = found([]);
  }
  if (r.kind === 'answer' && r.answers.length === 0) return negative('NOERROR', o, serial);
  return r;
}
