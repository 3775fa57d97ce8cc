// DNS name compression (RFC 1035 §4.1.4) for messages dns-packet encoded, which writes every name in full: the
// question and every record's owner name are rewritten to point at an earlier copy of their longest known suffix.
// Record data is copied untouched (uncompressed names inside RDATA stay valid). An answer of A records then costs
// 16 bytes per record instead of ~45, so as many fit in a 512-byte UDP reply as CoreDNS fits.

function copyName(src: Buffer, at: number, out: Buffer, o: number, dict: Map<string, number>): { at: number; o: number } {
  const labels: Buffer[] = [];
  while (src[at] !== 0) {
    if ((src[at] & 0xc0) !== 0) throw new Error('compress: input is already compressed');
    labels.push(src.subarray(at + 1, at + 1 + src[at]));
    at += 1 + src[at];
  }
  at += 1;
  for (let i = 0; i < labels.length; i++) {
    const suffix = labels.slice(i).map((l) => l.toString('latin1').toLowerCase()).join('.');
    const ptr = dict.get(suffix);
    if (ptr !== undefined) {
      out.writeUInt16BE(0xc000 | ptr, o);
      return { at, o: o + 2 };
    }
    if (o < 0x3fff) dict.set(suffix, o);
    out[o] = labels[i].length;
    labels[i].copy(out, o + 1);
    o += 1 + labels[i].length;
  }
  out[o] = 0;
  return { at, o: o + 1 };
}

/** The same message with its question and owner names compressed (never longer than the input). */
export function compressNames(msg: Buffer): Buffer {
  const out = Buffer.alloc(msg.length);
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
