import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { encodeFrame, FrameReader, SpdyProtocolError, type Frame } from './frames.ts';
import { HeaderDecoder, HeaderEncoder, parseHeaders, serializeHeaders } from './header-block.ts';
import { spdy3Dictionary } from './dictionary.ts';

test('every frame type survives encode → read, also when the bytes arrive one at a time', () => {
  const frames: Frame[] = [
    { type: 'data', streamId: 3, fin: false, data: Buffer.from('hello') },
    { type: 'data', streamId: 5, fin: true, data: Buffer.alloc(0) },
    { type: 'syn_stream', streamId: 1, associatedId: 0, priority: 0, flags: 0, headerBlock: Buffer.from([1, 2, 3]) },
    { type: 'syn_reply', streamId: 1, flags: 1, headerBlock: Buffer.from([9]) },
    { type: 'headers', streamId: 7, flags: 0, headerBlock: Buffer.alloc(0) },
    { type: 'rst_stream', streamId: 9, status: 5 },
    { type: 'settings', flags: 0, entries: [{ flags: 1, id: 7, value: 65536 }] },
    { type: 'ping', id: 2 },
    { type: 'goaway', lastGoodStreamId: 11, status: 0 },
    { type: 'window_update', streamId: 1, delta: 1000 },
  ];
  const bytes = Buffer.concat(frames.map(encodeFrame));
  assert.deepEqual(new FrameReader().push(bytes), frames);
  const reader = new FrameReader();
  const got: Frame[] = [];
  for (const b of bytes) got.push(...reader.push(Buffer.of(b)));
  assert.deepEqual(got, frames);
});

test('the wire layout is SPDY/3: control bit, version 3, type, flags, 24-bit length', () => {
  assert.deepEqual([...encodeFrame({ type: 'ping', id: 2 })], [0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 2]);
  assert.deepEqual([...encodeFrame({ type: 'data', streamId: 1, fin: true, data: Buffer.from('a') })], [0, 0, 0, 1, 1, 0, 0, 1, 0x61]);
});

test('a frame of another SPDY version or beyond the size limit is a protocol error', () => {
  const v2 = encodeFrame({ type: 'ping', id: 1 });
  v2.writeUInt16BE(0x8002, 0);
  assert.throws(() => new FrameReader().push(v2), SpdyProtocolError);
  assert.throws(() => new FrameReader(16).push(encodeFrame({ type: 'data', streamId: 1, fin: false, data: Buffer.alloc(17) })), SpdyProtocolError);
});

test('header blocks: names lower-cased, repeated values NUL-joined; one zlib stream across blocks', () => {
  const block = { StreamType: ['error'], port: ['80', '81'] };
  assert.deepEqual(parseHeaders(serializeHeaders(block)), { streamtype: ['error'], port: ['80', '81'] });
  const enc = new HeaderEncoder();
  const dec = new HeaderDecoder();
  assert.deepEqual(dec.decode(enc.encode({ streamtype: ['stdin'] })), { streamtype: ['stdin'] });
  assert.deepEqual(dec.decode(enc.encode({ streamtype: ['stdout'], requestid: ['0'] })), { streamtype: ['stdout'], requestid: ['0'] });
  assert.deepEqual(dec.decode(Buffer.alloc(0)), {});
});

test('a peer stream primed with the SPDY/3 dictionary inflates (Go compresses with it)', () => {
  // as Go's framer sends its first block: a zlib stream announcing the dictionary (adler32 0xe3c6a7c2 per spec)
  const block = serializeHeaders({ streamtype: ['stdout'] });
  const primed = deflateSync(block, { dictionary: spdy3Dictionary });
  assert.equal(primed.readUInt32BE(2), 0xe3c6a7c2);
  assert.equal(spdy3Dictionary.length, 1423);
  assert.deepEqual(new HeaderDecoder().decode(primed), { streamtype: ['stdout'] });
  assert.throws(() => new HeaderDecoder().decode(Buffer.from('not zlib at all')), SpdyProtocolError);
});
