// SPDY/3 framing (draft-mbelshe-httpbis-spdy-00, section 2.2), the dialect Kubernetes streams speak under the
// name "SPDY/3.1" (moby/spdystream: raw streams whose SYN_STREAM headers say what they carry, no HTTP
// pseudo-headers, no flow control). encodeFrame turns a frame into bytes; FrameReader cuts a byte stream into
// frames. Name/value blocks are handled by header-block.ts; this file never looks inside them.
//
// Why not a package: spdy-transport (the only SPDY package on npm, last released 2018) is HTTP over SPDY. Its
// parser refuses a SYN_REPLY without `:status`, which spdystream never sends, and it enforces SPDY/3.1 flow
// control that spdystream never grants (a client's stdin would stall after 64 KiB).

export const SPDY_VERSION = 3;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** Control frame types (2.6). */
export const ControlType = { SynStream: 1, SynReply: 2, RstStream: 3, Settings: 4, Ping: 6, GoAway: 7, Headers: 8, WindowUpdate: 9 } as const;

/** RST_STREAM status codes (2.6.3). */
export const RstStatus = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, Cancel: 5, InternalError: 6 } as const;

export type Frame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedId: number; priority: number; flags: number; headerBlock: Buffer }
  | { type: 'syn_reply'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; controlType: number; flags: number; payload: Buffer };

const MAX_LENGTH = 0xffffff;

function control(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_LENGTH) throw new RangeError(`SPDY frame payload of ${payload.length} bytes is too long`);
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4);
  return Buffer.concat([head, payload]);
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

/** The bytes of one frame. Data longer than a frame can carry is the caller's to split (see maxDataLength). */
export function encodeFrame(f: Frame): Buffer {
  switch (f.type) {
    case 'data': {
      if (f.data.length > MAX_LENGTH) throw new RangeError(`SPDY data frame of ${f.data.length} bytes is too long`);
      const head = Buffer.alloc(8);
      head.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      head.writeUInt32BE(((f.fin ? FLAG_FIN : 0) << 24 | f.data.length) >>> 0, 4);
      return Buffer.concat([head, f.data]);
    }
    case 'syn_stream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      fixed.writeUInt32BE(f.associatedId & 0x7fffffff, 4);
      fixed[8] = (f.priority & 0x7) << 5;
      return control(ControlType.SynStream, f.flags, Buffer.concat([fixed, f.headerBlock]));
    }
    case 'syn_reply':
      return control(ControlType.SynReply, f.flags, Buffer.concat([u32s(f.streamId & 0x7fffffff), f.headerBlock]));
    case 'headers':
      return control(ControlType.Headers, f.flags, Buffer.concat([u32s(f.streamId & 0x7fffffff), f.headerBlock]));
    case 'rst_stream':
      return control(ControlType.RstStream, 0, u32s(f.streamId & 0x7fffffff, f.status));
    case 'settings': {
      const body = Buffer.alloc(4 + 8 * f.entries.length);
      body.writeUInt32BE(f.entries.length, 0);
      f.entries.forEach((e, i) => {
        body.writeUInt32BE(((e.flags & 0xff) << 24 | (e.id & 0xffffff)) >>> 0, 4 + 8 * i);
        body.writeUInt32BE(e.value >>> 0, 8 + 8 * i);
      });
      return control(ControlType.Settings, f.flags, body);
    }
    case 'ping':
      return control(ControlType.Ping, 0, u32s(f.id));
    case 'goaway':
      return control(ControlType.GoAway, 0, u32s(f.lastGoodStreamId & 0x7fffffff, f.status));
    case 'window_update':
      return control(ControlType.WindowUpdate, 0, u32s(f.streamId & 0x7fffffff, f.delta & 0x7fffffff));
    case 'unknown':
      return control(f.controlType, f.flags, f.payload);
  }
}

export class SpdyProtocolError extends Error {}

function need(payload: Buffer, n: number, what: string): void {
  if (payload.length < n) throw new SpdyProtocolError(`SPDY ${what} frame too short (${payload.length} bytes)`);
}

function decodeControl(type: number, flags: number, p: Buffer): Frame {
  switch (type) {
    case ControlType.SynStream:
      need(p, 10, 'SYN_STREAM');
      return { type: 'syn_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, associatedId: p.readUInt32BE(4) & 0x7fffffff, priority: p[8]! >> 5, flags, headerBlock: p.subarray(10) };
    case ControlType.SynReply:
      need(p, 4, 'SYN_REPLY');
      return { type: 'syn_reply', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, headerBlock: p.subarray(4) };
    case ControlType.Headers:
      need(p, 4, 'HEADERS');
      return { type: 'headers', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, headerBlock: p.subarray(4) };
    case ControlType.RstStream:
      need(p, 8, 'RST_STREAM');
      return { type: 'rst_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case ControlType.Settings: {
      need(p, 4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      need(p, 4 + 8 * n, 'SETTINGS');
      const entries = Array.from({ length: n }, (_, i) => {
        const word = p.readUInt32BE(4 + 8 * i);
        return { flags: word >>> 24, id: word & 0xffffff, value: p.readUInt32BE(8 + 8 * i) };
      });
      return { type: 'settings', flags, entries };
    }
    case ControlType.Ping:
      need(p, 4, 'PING');
      return { type: 'ping', id: p.readUInt32BE(0) };
    case ControlType.GoAway:
      need(p, 4, 'GOAWAY');
      // SPDY/2 peers send no status; SPDY/3 adds one
      return { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
    case ControlType.WindowUpdate:
      need(p, 8, 'WINDOW_UPDATE');
      return { type: 'window_update', streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff };
    default:
      return { type: 'unknown', controlType: type, flags, payload: p };
  }
}

/**
 * Cuts a byte stream into frames: push() whatever arrived, get every complete frame back. A frame longer than
 * maxLength (a peer gone wrong) or a control frame of another SPDY version is a SpdyProtocolError.
 */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxLength = 1 << 20) {}

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buf.length >= 8) {
      const word = this.buf.readUInt32BE(4);
      const length = word & 0xffffff;
      if (length > this.maxLength) throw new SpdyProtocolError(`SPDY frame of ${length} bytes exceeds ${this.maxLength}`);
      if (this.buf.length < 8 + length) break;
      const flags = word >>> 24;
      const payload = this.buf.subarray(8, 8 + length);
      const first = this.buf.readUInt32BE(0);
      if (first & 0x80000000) {
        const version = (first >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        frames.push(decodeControl(first & 0xffff, flags, payload));
      } else {
        frames.push({ type: 'data', streamId: first & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, data: payload });
      }
      this.buf = this.buf.subarray(8 + length);
    }
    return frames;
  }
}
