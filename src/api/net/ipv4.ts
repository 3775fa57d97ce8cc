// IPv4 addresses and CIDR blocks as 32-bit unsigned integers: the one parser and formatter every component uses
// (the apiserver's Service IP allocator, node IPAM, the server's certificate SANs, simulated pod IPs). Parsing is
// strict dotted-quad (no leading "+", at most three digits an octet, each 0-255); bad input is `undefined`,
// never a wrong number.

export interface Cidr {
  /** The network address (host bits cleared), as an unsigned 32-bit integer. */
  base: number;
  /** Prefix length, 0-32. */
  bits: number;
  /** How many addresses the block holds (2^(32-bits)). */
  size: number;
}

const quad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** "10.0.0.1" → 167772161; undefined for anything that is not a dotted-quad IPv4 address. */
export function parseIPv4(ip: string): number | undefined {
  const m = quad.exec(ip);
  if (!m) return undefined;
  const o = m.slice(1, 5).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** The netmask of a prefix length as an unsigned integer (0 for /0). */
export function prefixMask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** "10.42.3.7/16" → the block 10.42.0.0/16 (host bits dropped, as Go's net.ParseCIDR); undefined when malformed. */
export function parseCidr(cidr: string): Cidr | undefined {
  const slash = cidr.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIPv4(cidr.slice(0, slash));
  const bitsText = cidr.slice(slash + 1);
  if (ip === undefined || !/^\d{1,2}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > 32) return undefined;
  return { base: (ip & prefixMask(bits)) >>> 0, bits, size: 2 ** (32 - bits) };
}

/** parseCidr for configuration (flags): a malformed value is an error that names it. */
export function mustParseCidr(cidr: string): Cidr {
  const c = parseCidr(cidr);
  if (!c) throw new Error(`invalid CIDR "${cidr}"`);
  return c;
}

export function formatCidr(base: number, bits: number): string {
  return `${formatIPv4(base)}/${bits}`;
}

/** The block's last address (its broadcast address when it has more than two). */
export function lastAddressOf(c: Cidr): number {
  return (c.base + c.size - 1) >>> 0;
}

/** The first usable address (network address + 1): the `kubernetes` Service's IP in the service CIDR. */
export function firstAddress(cidr: string): string {
  return formatIPv4(mustParseCidr(cidr).base + 1);
}
