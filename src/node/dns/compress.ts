// DNS name compression (RFC 1035 §4.1.4) for messages dns-packet encoded, which writes every name in full: the
// question and every record's owner name are rewritten to point at an earlier copy of their longest known suffix.
// Record data is copied untouched (uncompressed names inside RDATA stay valid). An answer of A records then costs
// 16 bytes per record instead of ~45, so as many fit in a 512-byte UDP reply as CoreDNS fits.

function copyName(src: Buffer, at: number, out: Buffer, o: number, dict: Map<string, number>): { at: number; o: number } {
  const starts: number[] = [];
  let p = at;
  while (src[p] !== 0) {
    if ((src[p] & 0xc0) !== 0) throw new Error('compress: input is already compressed');
    starts.push(p);
    p += 1 + src[p];
  }
  const end = p + 1;
  for (const start of starts) {
    // a suffix is keyed by its wire bytes (length octets and all), lower-cased: DNS names compare case-insensitively
    const key = src.toString('latin1', start, end).toLowerCase();
    const ptr = dict.get(key);
    if (ptr !== undefined) {
      out.writeUInt16BE(0xc000 | ptr, o);
      return { at: end, o: o + 2 };
    }
    if (o < 0x3fff) dict.set(key, o);
    o += src.copy(out, o, start, start + 1 + src[start]);
  }
  out[o] = 0;
  return { at: end, o: o + 1 };
}

/** The same message with its question and owner names compressed (never longer than the input). */
export function compressNames(msg: Buffer): Buffer {
  // every byte up to the returned length is written below
  const out = Buffer.allocUnsafe(msg.length);
  msg.copy(out, 0, 0, 12);
  const dict = new Map<string, number>();
  const questions = msg.readUInt16BE(4);
  const records = msg.readUInt16BE(6) + msg.readUInt16BE(8) + msg.readUInt16BE(10);
  let p = { at: 12, o: 12 };
  for (let i = 0; i < questions; i++) {
    p = copyName(msg, p.at, out, p.o, dict);
    msg.copy(out, p.o, p.at, p.at + 4);
    p = { at: p.at + 4, o: p.o + 4 };
  }
  for (let i = 0; i < records; i++) {
    p = copyName(msg, p.at, out, p.o, dict);
    const rdlen = msg.readUInt16BE(p.at + 8);
    msg.copy(out, p.o, p.at, p.at + 10 + rdlen);
    p = { at: p.at + 10 + rdlen, o: p.o + 10 + rdlen };
  }
  return out.subarray(0, p.o);
}
