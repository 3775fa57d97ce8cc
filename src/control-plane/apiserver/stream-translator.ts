// pods/exec and pods/attach over WebSocket v5.channel.k8s.io (kubectl ≥ 1.30's first choice), translated into
// SPDY v4.channel.k8s.io toward the kubelet, as upstream's API server does (StreamTranslatorHandler, feature
// TranslateStreamCloseWebsocketRequests). Done here rather than in the kubelet for upstream's reason: the
// kubelet — really the container runtime's streaming server, containerd 1.6 here — speaks SPDY and WebSocket only
// up to v4, which has no way to close stdin; SPDY streams can half-close. Requests offering only older WebSocket
// protocols (v4.channel.k8s.io, the Python client's) are not translated: they pass through to the kubelet as is.
//
// WebSocket side (wsstream's binary channel protocol): every message is one channel byte and data. Client → server:
// 0 stdin, 4 resize (TTY size JSON), and v5's close signal [255, channel] (only stdin may be closed). Server →
// client: 1 stdout, 2 stderr, 3 error (one Status, see stream-status.ts). Like upstream, an empty stdout (else
// stderr) message is sent first, so a client knows the streams are up, and the connection closes after the
// Status. SPDY side: one stream per channel, named by its `streamType` header.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { SpdySession, SpdyStream } from '../../net/spdy/session.ts';
import { streamTranslatorRequests } from './metrics.ts';
import { internalErrorStatus, translateErrorStream, type TranslatedStatus } from './stream-status.ts';
import { acceptWebSocket, asBuffer, isWebSocketRequest, offeredProtocols } from './websocket-accept.ts';

export const V5_PROTOCOL = 'v5.channel.k8s.io';
/** What the kubelet is asked to speak over SPDY: v4 carries exit codes as a Status, like v5. */
export const KUBELET_PROTOCOL = 'v4.channel.k8s.io';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

/** Stop reading the client once this much arrived before the kubelet's streams were up. */
const MAX_EARLY_BYTES = 1 << 20;
/** Stop reading the kubelet while this many stdout/stderr messages wait to reach the client. */
const MAX_PENDING_SENDS = 64;

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** upstream wsstream.IsWebSocketRequestWithStreamCloseProtocol */
export function wantsStreamTranslation(req: IncomingMessage): boolean {
  return isWebSocketRequest(req) && offeredProtocols(req).includes(V5_PROTOCOL);
}

function frame(channel: number, data: Buffer): Buffer {
  return Buffer.concat([Buffer.of(channel), data]);
}

/**
 * Serves one translated exec/attach: upgrades the client to WebSocket v5, opens the kubelet's SPDY session with
 * dial(), and relays until the command ends (its Status is sent, the socket closed) or either side goes away.
 */
export async function translateStream(
  req: IncomingMessage, socket: Duplex, head: Buffer, opts: StreamOptions, dial: () => Promise<SpdySession>, shutdown: AbortSignal,
): Promise<void> {
  const ws = await acceptWebSocket(req, socket, head, V5_PROTOCOL);
  const relay = new Relay(ws, opts);
  const onShutdown = (): void => relay.abort();
  shutdown.addEventListener('abort', onShutdown, { once: true });
  try {
    await relay.run(dial);
  } finally {
    shutdown.removeEventListener('abort', onShutdown);
  }
}

class Relay {
  private session?: SpdySession;
  private stdin?: SpdyStream;
  private resize?: SpdyStream;
  /** Client messages that came before the kubelet's streams were ready. */
  private early: Buffer[] | undefined = [];
  private earlyBytes = 0;
  private clientGone = false;
  private finished = false;
  private pendingSends = 0;
  private awaitingDrain = false;
  private resolveDone!: () => void;
  private readonly done = new Promise<void>((r) => (this.resolveDone = r));

  constructor(private readonly ws: WebSocket, private readonly opts: StreamOptions) {
    ws.on('message', (data) => this.fromClient(asBuffer(data)));
    ws.once('close', () => {
      this.clientGone = true;
      this.session?.destroy();
      this.resolveDone();
    });
    ws.on('error', () => ws.terminate());
    // upstream: an empty message on the lowest writable channel tells the client the streams are up
    if (opts.stdout) this.send(STDOUT, Buffer.alloc(0));
    else if (opts.stderr) this.send(STDERR, Buffer.alloc(0));
  }

  async run(dial: () => Promise<SpdySession>): Promise<void> {
    try {
      const session = await dial();
      this.session = session;
      if (this.clientGone) return void session.destroy();
      await this.relay(session);
    } catch (err) {
      this.finish(internalErrorStatus((err as Error).message));
    }
    await this.done;
  }

  abort(): void {
    this.session?.destroy();
    this.ws.terminate();
  }

  private async relay(session: SpdySession): Promise<void> {
    const o = this.opts;
    const open = (type: string): SpdyStream => session.openStream({ streamtype: [type] });
    // client-go's order: error, stdin, stdout, stderr (none with a TTY: it is merged into stdout), resize
    const error = open('error');
    const stdin = o.stdin ? open('stdin') : undefined;
    const stdout = o.stdout ? open('stdout') : undefined;
    const stderr = o.stderr && !o.tty ? open('stderr') : undefined;
    const resize = o.tty ? open('resize') : undefined;
    const errorBytes: Buffer[] = [];
    error.on('data', (d) => errorBytes.push(d));
    const ended = (s: SpdyStream | undefined): Promise<void> => (s ? new Promise((r) => s.once('end', () => r())) : Promise.resolve());
    const outputs = Promise.all([ended(error), ended(stdout), ended(stderr)]);
    stdout?.on('data', (d) => this.send(STDOUT, d));
    stderr?.on('data', (d) => this.send(STDERR, d));
    // the error stream is only read; our side of it is done
    error.end();
    const replies = [error, stdin, stdout, stderr, resize].filter((s): s is SpdyStream => !!s).map((s) => s.replied);
    const closed = new Promise<never>((_, reject) => session.once('close', (err) => reject(err ?? new Error('the kubelet closed the stream before it was set up'))));
    closed.catch(() => undefined);
    await Promise.race([Promise.all(replies), closed]);
    this.stdin = stdin;
    this.resize = resize;
    const early = this.early ?? [];
    this.early = undefined;
    for (const m of early) this.fromClient(m);
    if (this.earlyBytes > MAX_EARLY_BYTES && !this.awaitingDrain) this.ws.resume();
    await outputs;
    this.finish(translateErrorStream(Buffer.concat(errorBytes)));
  }

  private fromClient(m: Buffer): void {
    if (this.early) {
      this.early.push(m);
      this.earlyBytes += m.length;
      // the kubelet has not answered yet: hold the client rather than buffer without bound
      if (this.earlyBytes > MAX_EARLY_BYTES) this.ws.pause();
      return;
    }
    if (!m.length) return;
    const channel = m[0]!;
    const data = m.subarray(1);
    if (channel === CLOSE) {
      // v5's half-close: [255, channel]; only stdin can be closed by the client
      if (data.length === 1 && data[0] === STDIN) this.stdin?.end();
      return;
    }
    if (channel === STDIN && this.stdin) {
      // the kubelet reads slower than the client writes: stop reading the client until the socket drained
      // (messages ws had already buffered still arrive meanwhile; one drain listener is enough)
      if (!this.stdin.write(data) && this.session && !this.awaitingDrain) {
        this.awaitingDrain = true;
        this.ws.pause();
        this.session.onceDrained(() => {
          this.awaitingDrain = false;
          this.ws.resume();
        });
      }
    } else if (channel === RESIZE && this.resize) {
      this.resize.write(data);
    }
  }

  private send(channel: number, data: Buffer): void {
    if (this.clientGone) return;
    this.pendingSends++;
    if (this.pendingSends === MAX_PENDING_SENDS) this.session?.pause();
    this.ws.send(frame(channel, data), { binary: true }, () => {
      this.pendingSends--;
      if (this.pendingSends === MAX_PENDING_SENDS / 2) this.session?.resume();
    });
  }

  /** Sends the Status on the error channel, closes the client's connection and the kubelet's session. */
  private finish(result: TranslatedStatus): void {
    if (this.finished) return;
    this.finished = true;
    streamTranslatorRequests.inc({ code: result.code });
    this.session?.close();
    if (this.clientGone) return;
    this.send(ERROR, Buffer.from(JSON.stringify(result.status)));
    this.ws.close(1000);
  }
}
