// SPDY/3 name/value header blocks (2.6.10): a count, then length-prefixed names and values (several values of
// one name joined by NUL), the whole block zlib-compressed. All blocks one side of a session sends form ONE zlib
// stream, so each direction keeps its own state here.
//
// Sending: each block is deflated on its own (raw deflate ended with a sync flush, no shared history) behind the
// zlib header sent once with the first block. Concatenated, that is one valid zlib stream, which is all a peer's
// inflater sees; no dictionary is announced, so Go's reader (zlib.NewReaderDict) does not need one. This keeps
// encoding synchronous, so frames leave in the order they were made.
// Receiving: the peer's stream is primed with the SPDY dictionary and shares history across blocks, so every
// block received is inflated from the start of the stream (a session carries a handful of small blocks; the
// total is capped).
import { constants, deflateRawSync, inflateSync } from 'node:zlib';
import { spdy3Dictionary } from './dictionary.ts';
import { SpdyProtocolError } from './frames.ts';

export type HeaderMap = Record<string, string[]>;

/** zlib header: deflate, 32 KiB window, no preset dictionary, default level (FCHECK makes it a multiple of 31). */
const ZLIB_HEADER = Buffer.from([0x78, 0x9c]);

/** The serialised block before compression; names are lower-cased as SPDY requires. */
export function serializeHeaders(headers: HeaderMap): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, values] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/** Parses a decompressed block (names as sent; NUL-joined values split). */
export function parseHeaders(block: Buffer): HeaderMap {
  let off = 0;
  const take = (n: number): Buffer => {
    if (off + n > block.length) throw new SpdyProtocolError('SPDY header block truncated');
    const b = block.subarray(off, off + n);
    off += n;
    return b;
  };
  const count = take(4).readUInt32BE(0);
  const out: HeaderMap = {};
  for (let i = 0; i < count; i++) {
    const name = take(take(4).readUInt32BE(0)).toString('utf8');
    const value = take(take(4).readUInt32BE(0)).toString('utf8');
    (out[name] ??= []).push(...value.split('\0'));
  }
  return out;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** Compressor for the blocks one side sends. */
export class HeaderEncoder {
  private started = false;

  encode(headers: HeaderMap): Buffer {
    const body = deflateRawSync(serializeHeaders(headers), { finishFlush: constants.Z_SYNC_FLUSH });
    if (this.started) return body;
    this.started = true;
    return Buffer.concat([ZLIB_HEADER, body]);
  }
}

/** Decompressor for the blocks the peer sends. */
export class HeaderDecoder {
  private compressed: Buffer = Buffer.alloc(0);
  private consumed = 0;

  constructor(private readonly maxTotal = 1 << 20) {}

  decode(block: Buffer): HeaderMap {
    if (!block.length) return {};
    this.compressed = Buffer.concat([this.compressed, block]);
    if (this.compressed.length > this.maxTotal) throw new SpdyProtocolError('SPDY header blocks exceed their limit');
    let all: Buffer;
    try {
      all = inflateSync(this.compressed, { dictionary: spdy3Dictionary, finishFlush: constants.Z_SYNC_FLUSH });
    } catch (err) {
      throw new SpdyProtocolError(`SPDY header block does not inflate: ${(err as Error).message}`);
    }
    const mine = all.subarray(this.consumed);
    this.consumed = all.length;
    return parseHeaders(mine);
  }
}
