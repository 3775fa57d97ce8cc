// The byte-level seam under RestClient: one request in, a status plus a streamed body out. HttpTransport speaks
// HTTP(S) with a keep-alive agent (mTLS via client cert, server verified against the configured CA); an
// in-process transport can implement the same interface without a socket.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';

export interface TransportRequest {
  method: string;
  /** Path plus query string, e.g. "/api/v1/pods?limit=500". */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as it arrives; for watches this is an endless stream until either side closes it. */
  body: AsyncIterable<Buffer>;
}

export interface Transport {
  send(req: TransportRequest): Promise<TransportResponse>;
  /** Drops idle keep-alive sockets. */
  close(): void;
}

export interface HttpTransportOptions {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTLSVerify?: boolean;
  tlsServerName?: string;
}

export class HttpTransport implements Transport {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly secure: boolean;

  /** agent: a ready-made agent (the in-process transport brings one whose connections are in-memory pipes). */
  constructor(private readonly opts: HttpTransportOptions, agent?: http.Agent) {
    this.base = new URL(opts.server);
    this.secure = this.base.protocol === 'https:';
    this.agent = agent ?? (this.secure
      ? new https.Agent({
          keepAlive: true,
          // Bounded, so a burst of thousands of calls queues here instead of storming the server with
          // connections (watches hold sockets too, hence the headroom).
          maxSockets: 256,
          // One TLS context for every connection: building it (parsing CA, cert and key) per connect is costly.
          secureContext: tls.createSecureContext({ ca: opts.ca, cert: opts.cert, key: opts.key }),
          rejectUnauthorized: !opts.insecureSkipTLSVerify,
          servername: opts.tlsServerName,
        })
      : new http.Agent({ keepAlive: true, maxSockets: 256 }));
  }

  send(req: TransportRequest): Promise<TransportResponse> {
    const prefix = this.base.pathname.replace(/\/+$/, '');
    const options: https.RequestOptions = {
      method: req.method,
      protocol: this.base.protocol,
      hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
      port: this.base.port || (this.secure ? 443 : 80),
      path: prefix + req.path,
      headers: req.body ? { ...req.headers, 'content-length': String(req.body.length) } : req.headers,
      agent: this.agent,
      signal: req.signal,
    };
    if (this.opts.tlsServerName) options.servername = this.opts.tlsServerName;
    const mod = this.secure ? https : http;
    return new Promise((resolve, reject) => {
      const r = mod.request(options, (res) => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      r.on('error', reject);
      r.end(req.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Collects a whole body; used for every non-streaming call. */
export async function readAll(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c);
  return Buffer.concat(chunks);
}
