// The client end of a SPDY session as Kubernetes streams use it (client-go's httpstream/spdy over moby/spdystream):
// the client opens streams with SYN_STREAM, each named by its headers (streamType: stdin, stdout, …), waits for
// the server's SYN_REPLY before sending data on it (spdystream drops data on a stream it has not answered yet),
// half-closes with an empty FIN data frame, and answers the server's PINGs. The server never opens streams here,
// so a SYN_STREAM from it is refused. Flow control (WINDOW_UPDATE, SETTINGS) is ignored as spdystream ignores it.
// The session ends when the socket closes; every open stream then ends too.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { encodeFrame, FLAG_FIN, FrameReader, RstStatus, SpdyProtocolError, type Frame } from './frames.ts';
import { HeaderDecoder, HeaderEncoder, type HeaderMap } from './header-block.ts';

/** Data is sent in frames of at most this many bytes (what spdystream's own writers use). */
const MAX_DATA_FRAME = 32 * 1024;

export interface SpdyStreamEvents {
  data: [Buffer];
  /** The peer finished its side (FIN), reset the stream, or the session ended. */
  end: [{ reset: boolean }];
}

export class SpdyStream extends EventEmitter<SpdyStreamEvents> {
  /** Settles with the server's SYN_REPLY; rejects if the stream is reset or the session ends first. */
  readonly replied: Promise<void>;
  private resolveReply!: () => void;
  private rejectReply!: (err: Error) => void;
  private isReplied = false;
  private remoteEnded = false;
  private localEnded = false;
  private readonly pending: Buffer[] = [];
  private pendingFin = false;

  constructor(private readonly session: SpdySession, readonly id: number, readonly headers: HeaderMap) {
    super();
    this.replied = new Promise((resolve, reject) => {
      this.resolveReply = resolve;
      this.rejectReply = reject;
    });
    // a caller that never awaits replied must not see an unhandled rejection
    this.replied.catch(() => undefined);
  }

  /** Sends data (queued until the reply came). Returns false when the socket wants the writer to wait for drain. */
  write(data: Buffer): boolean {
    if (this.localEnded || !data.length) return true;
    if (!this.isReplied) {
      this.pending.push(data);
      return true;
    }
    let ok = true;
    for (let off = 0; off < data.length; off += MAX_DATA_FRAME) {
      ok = this.session.send({ type: 'data', streamId: this.id, fin: false, data: data.subarray(off, off + MAX_DATA_FRAME) });
    }
    return ok;
  }

  /** Half-closes our side (an empty data frame with FIN), after any queued data. */
  end(): void {
    if (this.localEnded) return;
    if (!this.isReplied) {
      this.pendingFin = true;
      return;
    }
    this.localEnded = true;
    this.session.send({ type: 'data', streamId: this.id, fin: true, data: Buffer.alloc(0) });
    this.session.forgetIfDone(this);
  }

  get done(): boolean {
    return this.localEnded && this.remoteEnded;
  }

  /** @internal session → stream */
  onReply(fin: boolean): void {
    if (this.isReplied) return;
    this.isReplied = true;
    this.resolveReply();
    for (const d of this.pending.splice(0)) this.write(d);
    if (this.pendingFin) this.end();
    if (fin) this.onRemoteEnd(false);
  }

  /** @internal */
  onData(data: Buffer, fin: boolean): void {
    if (this.remoteEnded) return;
    if (data.length) this.emit('data', data);
    if (fin) this.onRemoteEnd(false);
  }

  /** @internal the peer's FIN or RST_STREAM, or the session's end (reset: true). */
  onRemoteEnd(reset: boolean): void {
    if (reset) {
      this.localEnded = true;
      if (!this.isReplied) this.rejectReply(new Error(`SPDY stream ${this.id} was reset before it was answered`));
    }
    if (this.remoteEnded) return this.session.forgetIfDone(this);
    this.remoteEnded = true;
    this.emit('end', { reset });
    this.session.forgetIfDone(this);
  }
}

export interface SpdySessionEvents {
  close: [Error | undefined];
}

export class SpdySession extends EventEmitter<SpdySessionEvents> {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly reader = new FrameReader();
  private readonly encoder = new HeaderEncoder();
  private readonly decoder = new HeaderDecoder();
  private nextId = 1;
  private closed = false;
  private error: Error | undefined;

  constructor(private readonly socket: Duplex) {
    super();
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('error', (err: Error) => {
      this.error ??= err;
      socket.destroy();
    });
    socket.once('close', () => this.finish());
    socket.once('end', () => socket.end());
  }

  /** Opens a stream named by headers (SYN_STREAM); await its replied before relying on the server having it. */
  openStream(headers: HeaderMap): SpdyStream {
    if (this.closed) throw new Error('SPDY session is closed');
    const stream = new SpdyStream(this, this.nextId, headers);
    this.nextId += 2;
    this.streams.set(stream.id, stream);
    this.send({ type: 'syn_stream', streamId: stream.id, associatedId: 0, priority: 0, flags: 0, headerBlock: this.encoder.encode(headers) });
    return stream;
  }

  /** Stops reading from the peer (backpressure toward a slow consumer of stream data). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Calls fn once the socket has drained its write buffer. */
  onceDrained(fn: () => void): void {
    this.socket.once('drain', fn);
  }

  /** Ends the session: GOAWAY, then the socket is closed. */
  close(): void {
    if (this.closed) return;
    this.send({ type: 'goaway', lastGoodStreamId: 0, status: 0 });
    this.socket.end();
  }

  destroy(err?: Error): void {
    if (err) this.error ??= err;
    this.socket.destroy();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** @internal */
  send(frame: Frame): boolean {
    if (this.closed || this.socket.destroyed) return true;
    return this.socket.write(encodeFrame(frame));
  }

  /** @internal */
  forgetIfDone(stream: SpdyStream): void {
    if (stream.done) this.streams.delete(stream.id);
  }

  private onBytes(chunk: Buffer): void {
    try {
      for (const frame of this.reader.push(chunk)) this.handle(frame);
    } catch (err) {
      if (!(err instanceof SpdyProtocolError)) throw err;
      this.send({ type: 'goaway', lastGoodStreamId: 0, status: RstStatus.ProtocolError });
      this.destroy(err);
    }
  }

  private handle(f: Frame): void {
    switch (f.type) {
      case 'data':
        return this.streams.get(f.streamId)?.onData(f.data, f.fin);
      case 'syn_reply':
        this.decoder.decode(f.headerBlock);
        return this.streams.get(f.streamId)?.onReply((f.flags & FLAG_FIN) !== 0);
      case 'headers': {
        // every block is decoded: they share one zlib stream, skipping one would corrupt the next
        this.decoder.decode(f.headerBlock);
        if (f.flags & FLAG_FIN) this.streams.get(f.streamId)?.onData(Buffer.alloc(0), true);
        return;
      }
      case 'syn_stream':
        this.decoder.decode(f.headerBlock);
        this.send({ type: 'rst_stream', streamId: f.streamId, status: RstStatus.RefusedStream });
        return;
      case 'rst_stream':
        return this.streams.get(f.streamId)?.onRemoteEnd(true);
      case 'ping':
        // the server's pings carry even ids; ours would be odd, and we send none
        if (f.id % 2 === 0) this.send({ type: 'ping', id: f.id });
        return;
      case 'goaway':
      case 'settings':
      case 'window_update':
      case 'unknown':
        // GOAWAY: the server closes the socket after it, which ends the session
        return;
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.streams.values()]) s.onRemoteEnd(true);
    this.streams.clear();
    this.emit('close', this.error);
  }
}
