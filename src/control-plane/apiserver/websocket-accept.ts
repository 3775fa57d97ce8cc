// The WebSocket side of the API server's streaming handlers (stream-translator.ts, stream-tunnel.ts): recognising
// a WebSocket upgrade and the subprotocols it offers, and answering it with ws on the socket the server handed
// over, choosing one subprotocol.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { ApiError } from '../../api/errors.ts';

export function isWebSocketRequest(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/** The subprotocols a request offers (Sec-WebSocket-Protocol, comma-separated, possibly repeated). */
export function offeredProtocols(req: IncomingMessage): string[] {
  const raw = req.headers['sec-websocket-protocol'];
  return (Array.isArray(raw) ? raw.join(',') : raw ?? '').split(',').map((p) => p.trim()).filter(Boolean);
}

/**
 * Answers the upgrade, choosing `protocol` (the caller checked that the request offers it). ws only accepts
 * RFC 7230 tokens as subprotocols, and port-forward's `SPDY/3.1+portforward.k8s.io` has a `/`: so the offer is
 * taken off the request and the choice written into the 101 through ws's `headers` hook. A malformed handshake
 * (no key, wrong version) rejects with a 400 ApiError, which the server's error boundary answers.
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  delete req.headers['sec-websocket-protocol'];
  wss.once('headers', (headers) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
  return new Promise((resolve, reject) => {
    wss.once('wsClientError', (err: Error) => reject(ApiError.badRequest(`websocket handshake: ${err.message}`)));
    wss.handleUpgrade(req, socket, head, (ws) => resolve(ws));
  });
}

/** A message's bytes whatever form ws delivered them in. */
export function asBuffer(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}
