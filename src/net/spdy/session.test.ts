// SpdySession against a scripted peer on a loopback TCP connection (the peer reads and writes frames with this
// package's own framing; the real peer, Go's spdystream in containerd, is exercised by the e2e tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Socket, type AddressInfo } from 'node:net';
import { encodeFrame, FrameReader, RstStatus, type Frame } from './frames.ts';
import { HeaderDecoder, HeaderEncoder } from './header-block.ts';
import { SpdySession } from './session.ts';

interface Peer {
  socket: Socket;
  /** Resolves with the next frame the session sent. */
  next(): Promise<Frame>;
  send(f: Frame): void;
  headers: HeaderDecoder;
  encoder: HeaderEncoder;
}

async function connected(): Promise<{ session: SpdySession; peer: Peer; close(): Promise<void> }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [socket] = (await once(server, 'connection')) as [Socket];
  await once(client, 'connect');
  const reader = new FrameReader();
  const queue: Frame[] = [];
  const waiters: ((f: Frame) => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const f of reader.push(chunk)) {
      const w = waiters.shift();
      if (w) w(f);
      else queue.push(f);
    }
  });
  const peer: Peer = {
    socket,
    next: () => new Promise((resolve) => {
      const f = queue.shift();
      if (f) resolve(f);
      else waiters.push(resolve);
    }),
    send: (f) => socket.write(encodeFrame(f)),
    headers: new HeaderDecoder(),
    encoder: new HeaderEncoder(),
  };
  return {
    session: new SpdySession(client),
    peer,
    close: async () => {
      socket.destroy();
      client.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

test('a stream is opened by its headers; data waits for the reply; end() half-closes after the data', async () => {
  const { session, peer, close } = await connected();
  try {
    const stdin = session.openStream({ streamtype: ['stdin'] });
    stdin.write(Buffer.from('early'));
    stdin.end();
    const syn = await peer.next();
    assert.equal(syn.type, 'syn_stream');
    assert.ok(syn.type === 'syn_stream');
    assert.equal(syn.streamId, 1);
    assert.deepEqual(peer.headers.decode(syn.headerBlock), { streamtype: ['stdin'] });
    const stdout = session.openStream({ streamtype: ['stdout'] });
    const syn2 = await peer.next();
    assert.ok(syn2.type === 'syn_stream');
    assert.equal(syn2.streamId, 3);
    assert.deepEqual(peer.headers.decode(syn2.headerBlock), { streamtype: ['stdout'] });
    // nothing of stdin's data has been sent: it waits for the reply
    peer.send({ type: 'syn_reply', streamId: 1, flags: 0, headerBlock: peer.encoder.encode({}) });
    await stdin.replied;
    assert.deepEqual(await peer.next(), { type: 'data', streamId: 1, fin: false, data: Buffer.from('early') });
    assert.deepEqual(await peer.next(), { type: 'data', streamId: 1, fin: true, data: Buffer.alloc(0) });
    // the server's data arrives on the stream; its FIN ends it
    peer.send({ type: 'syn_reply', streamId: 3, flags: 0, headerBlock: peer.encoder.encode({}) });
    const got: Buffer[] = [];
    stdout.on('data', (d) => got.push(d));
    const ended = once(stdout, 'end');
    peer.send({ type: 'data', streamId: 3, fin: false, data: Buffer.from('out') });
    peer.send({ type: 'data', streamId: 3, fin: true, data: Buffer.alloc(0) });
    assert.deepEqual(await ended, [{ reset: false }]);
    assert.equal(Buffer.concat(got).toString(), 'out');
  } finally {
    await close();
  }
});

test('the server\'s PING is answered, its SYN_STREAM refused; RST and the socket\'s end finish streams', async () => {
  const { session, peer, close } = await connected();
  try {
    const error = session.openStream({ streamtype: ['error'] });
    const other = session.openStream({ streamtype: ['stdout'] });
    await peer.next();
    await peer.next();
    peer.send({ type: 'ping', id: 2 });
    assert.deepEqual(await peer.next(), { type: 'ping', id: 2 });
    peer.send({ type: 'syn_stream', streamId: 2, associatedId: 0, priority: 0, flags: 0, headerBlock: peer.encoder.encode({ streamtype: ['data'] }) });
    assert.deepEqual(await peer.next(), { type: 'rst_stream', streamId: 2, status: RstStatus.RefusedStream });
    // flow control frames are ignored, not fatal
    peer.send({ type: 'window_update', streamId: 1, delta: 10 });
    peer.send({ type: 'settings', flags: 0, entries: [{ flags: 0, id: 7, value: 1 << 20 }] });
    const reset = once(error, 'end');
    peer.send({ type: 'rst_stream', streamId: 1, status: RstStatus.Cancel });
    assert.deepEqual(await reset, [{ reset: true }]);
    await assert.rejects(error.replied, /reset before it was answered/);
    const otherEnded = once(other, 'end');
    const sessionClosed = once(session, 'close');
    peer.socket.destroy();
    assert.deepEqual(await otherEnded, [{ reset: true }]);
    await sessionClosed;
    assert.equal(session.isClosed, true);
  } finally {
    await close();
  }
});

test('garbage from the peer is a protocol error: GOAWAY, then the session closes with the error', async () => {
  const { session, peer, close } = await connected();
  try {
    const closed = once(session, 'close');
    peer.socket.write(Buffer.from([0x80, 0x02, 0, 1, 0, 0, 0, 0]));
    const goaway = await peer.next();
    assert.equal(goaway.type, 'goaway');
    const [err] = (await closed) as [Error];
    assert.match(err.message, /unsupported SPDY version 2/);
  } finally {
    await close();
  }
});
