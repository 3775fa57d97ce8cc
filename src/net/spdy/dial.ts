// Opens a SPDY connection over HTTPS the way client-go's SPDY round tripper does: a POST with `Connection: Upgrade`,
// `Upgrade: SPDY/3.1` and one `X-Stream-Protocol-Version` per protocol the caller speaks; the server answers 101
// with the one it picked. Any other answer is an UpgradeFailure carrying the server's status and text.
// dialUpgrade hands back the raw upgraded socket (for a tunnel that relays SPDY bytes it does not read);
// dialSpdy wraps it in a client SpdySession.
import { request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { SpdySession } from './session.ts';

export class UpgradeFailure extends Error {
  constructor(readonly status: number, readonly body: string) {
    super(`unable to upgrade connection: ${body || `status ${status}`}`);
  }
}

export interface SpdyDialOptions {
  /** Host, port, path and TLS material of the request; method and upgrade headers are set here. */
  request: RequestOptions;
  protocols: string[];
  signal?: AbortSignal;
}

export interface Upgraded {
  /** The connection after the 101; any bytes that came with the response head are unshifted back into it. */
  socket: Duplex;
  protocol: string;
}

export function dialUpgrade(o: SpdyDialOptions): Promise<Upgraded> {
  return new Promise((resolve, reject) => {
    const req = request({
      ...o.request,
      method: 'POST',
      agent: false,
      signal: o.signal,
      headers: { ...o.request.headers, Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': o.protocols, 'Content-Length': '0' },
    });
    req.once('upgrade', (res: IncomingMessage, socket: Duplex, head: Buffer) => {
      const protocol = String(res.headers['x-stream-protocol-version'] ?? '');
      if (!o.protocols.includes(protocol)) {
        socket.destroy();
        return reject(new Error(`unable to upgrade streaming request: the server chose protocol "${protocol}", not one of ${o.protocols.join(', ')}`));
      }
      if (head.length) socket.unshift(head);
      resolve({ socket, protocol });
    });
    req.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => reject(new UpgradeFailure(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8').trim())));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

export async function dialSpdy(o: SpdyDialOptions): Promise<{ session: SpdySession; protocol: string }> {
  const { socket, protocol } = await dialUpgrade(o);
  return { session: new SpdySession(socket), protocol };
}
