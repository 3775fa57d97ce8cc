// The in-process transport: HTTP(S) to a server object in this same process over an in-memory byte pipe, with no
// TCP port. Everything above the bytes is unchanged (TLS, client certificates, authentication, the server's whole
// request path), so in-process components are still ordinary authenticated API clients; only the socket is gone.
import { Duplex } from 'node:stream';
import type { Server as HttpServer } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { HttpTransport, type HttpTransportOptions } from './transport.ts';

/** Two connected in-memory streams: what one end writes, the other reads. */
export function memoryPipe(): [Duplex, Duplex] {
  let a: PipeEnd | undefined;
  let b: PipeEnd | undefined;
  a = new PipeEnd(() => b);
  b = new PipeEnd(() => a);
  return [a, b];
}

class PipeEnd extends Duplex {
  constructor(private readonly peer: () => PipeEnd | undefined) {
    super({ allowHalfOpen: false });
  }

  override _read(): void {}

  // Bytes arrive on a later turn of the event loop, as from a socket's I/O callback, never inside the writer's
  // promise chain: node's HTTP agent frees a kept-alive connection on the next tick after a response ends, and a
  // client continuing in the same microtask run would otherwise find no free connection and open another.
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const peer = this.peer();
    setImmediate(() => peer?.push(chunk));
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    const peer = this.peer();
    setImmediate(() => peer?.push(null));
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const p = this.peer();
    if (p && !p.destroyed) p.destroy();
    cb(err);
  }

  // http.Server treats connections as sockets; these are the calls it makes that a pipe can satisfy trivially.
  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  // The agent refs a socket while in use and unrefs it while idle in the pool; a pipe holds no event-loop handle.
  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  get remoteAddress(): string {
    return '127.0.0.1';
  }
}

/**
 * A Transport into `server` (an http.Server, or an https.Server for TLS with the usual CA / client cert options).
 * `server` need not listen on any port.
 */
export function inProcessTransport(server: HttpServer, opts: Omit<HttpTransportOptions, 'server'>): HttpTransport {
  const secure = server instanceof https.Server;
  const connect = (): Duplex => {
    const [client, remote] = memoryPipe();
    server.emit('connection', remote);
    return client;
  };
  const agent = secure
    ? new (class extends https.Agent {
        override createConnection(options: tls.ConnectionOptions): Duplex {
          return tls.connect({ ...options, socket: connect() });
        }
      })({ keepAlive: true, ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: !opts.insecureSkipTLSVerify, servername: opts.tlsServerName })
    : new (class extends http.Agent {
        override createConnection(): Duplex {
          return connect();
        }
      })({ keepAlive: true });
  return new HttpTransport({ ...opts, server: secure ? 'https://127.0.0.1' : 'http://127.0.0.1' }, agent);
}
