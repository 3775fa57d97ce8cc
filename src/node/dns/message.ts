// DNS messages on the wire: decoding a query safely, building the reply's header (AA, RD copied, RCODE), EDNS
// (echo an OPT record when the client sent one) and UDP truncation: a reply larger than 512 bytes, or than the
// client's EDNS buffer, goes out with the TC bit and only the records that fit, so the client retries over TCP.
import * as packet from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer, Packet } from 'dns-packet';
import { compressNames } from './compress.ts';

export const rcodes = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type RcodeName = keyof typeof rcodes;

const opcodeMask = 0x7800;
/** The UDP payload size this server advertises (the DNS flag day 2020 default). */
export const advertisedUdpSize = 1232;

export function decodeQuery(raw: Buffer): DecodedPacket | undefined {
  try {
    return packet.decode(raw);
  } catch {
    return undefined;
  }
}

export function opcode(q: Packet): number {
  return ((q.flags ?? 0) & opcodeMask) >> 11;
}

function optOf(q: Packet): OptAnswer | undefined {
  return q.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
}

/** The largest UDP reply the client accepts: 512 without EDNS, else its advertised size (at least 512). */
export function maxUdpSize(q: Packet): number {
  const opt = optOf(q);
  return opt ? Math.min(Math.max(opt.udpPayloadSize, 512), 65535) : 512;
}

export interface ReplyBody {
  rcode: RcodeName;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
  authoritative?: boolean;
}

/** A reply to q: same id and question, RD and CD copied, opcode kept, OPT echoed if q had one. */
export function reply(q: Packet, body: ReplyBody): Packet {
  const flags = ((q.flags ?? 0) & (opcodeMask | packet.RECURSION_DESIRED | packet.CHECKING_DISABLED))
    | (body.authoritative ? packet.AUTHORITATIVE_ANSWER : 0)
    | rcodes[body.rcode];
  const additionals = [...(body.additionals ?? [])];
  if (optOf(q)) additionals.push({ type: 'OPT', name: '.', udpPayloadSize: advertisedUdpSize, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] });
  return {
    type: 'response', id: q.id ?? 0, flags, questions: q.questions ?? [],
    answers: body.answers ?? [], authorities: body.authorities ?? [], additionals,
  };
}

/** The wire form of a reply, names compressed when several records repeat them (one record gains nothing worth
 *  the cost: it fits any UDP reply either way). */
export function encode(p: Packet): Buffer {
  const records = (p.answers?.length ?? 0) + (p.authorities?.length ?? 0) + (p.additionals?.length ?? 0);
  const plain = packet.encode(p);
  return records > 1 ? compressNames(plain) : plain;
}

/** Encodes for UDP: when too big, sets TC and keeps the most leading answers that fit (plus OPT), as miekg/dns's Truncate. */
export function encodeUdp(p: Packet, max: number): Buffer {
  const full = encode(p);
  if (full.length <= max) return full;
  const opt = (p.additionals ?? []).filter((a) => a.type === 'OPT');
  const answers = p.answers ?? [];
  const cut = (n: number): Buffer => encode({ ...p, flags: (p.flags ?? 0) | packet.TRUNCATED_RESPONSE, authorities: [], additionals: opt, answers: answers.slice(0, n) });
  // binary search for the largest prefix that fits: a headless service can have thousands of endpoints
  let lo = 0;
  let hi = answers.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cut(mid).length <= max) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo);
}

/** An error reply built from the raw bytes alone (the query could not be decoded): id kept, no question. */
export function rawError(raw: Buffer, rcode: RcodeName): Buffer | undefined {
  if (raw.length < 12) return undefined;
  const out = Buffer.alloc(12);
  raw.copy(out, 0, 0, 2);
  const flags = (raw.readUInt16BE(2) & (opcodeMask | packet.RECURSION_DESIRED)) | 0x8000 | rcodes[rcode];
  out.writeUInt16BE(flags, 2);
  return out;
}
