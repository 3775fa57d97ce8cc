// pods/portforward over WebSocket (kubectl ≥ 1.31, upstream feature PortForwardWebsockets): the client speaks SPDY
// port-forward *inside* a WebSocket whose subprotocol is `SPDY/3.1+portforward.k8s.io`, one binary message per
// write. As upstream's TunnelingHandler does, the API server first opens the kubelet's SPDY upgrade
// (portforward.k8s.io); only once the kubelet said 101 is the client's WebSocket accepted, and from then on bytes
// are relayed unread both ways — the kubelet's 101 head itself is not forwarded, the client starts SPDY at once.
// A kubelet that refuses answers the client with an ordinary error (thrown), which kubectl reports or falls back on.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Upgraded } from '../../net/spdy/dial.ts';
import { streamTunnelRequests } from './metrics.ts';
import { acceptWebSocket, asBuffer, isWebSocketRequest, offeredProtocols } from './websocket-accept.ts';

const MAX_PENDING_SENDS = 64;

export const PORTFORWARD_PROTOCOL = 'portforward.k8s.io';
export const TUNNEL_PROTOCOL = `SPDY/3.1+${PORTFORWARD_PROTOCOL}`;

/** upstream wsstream.IsWebSocketRequestWithTunnelingProtocol */
export function wantsTunnel(req: IncomingMessage): boolean {
  return isWebSocketRequest(req) && offeredProtocols(req).includes(TUNNEL_PROTOCOL);
}

/** Relays one port-forward tunnel; resolves when both ends are closed. dial's failure propagates before any upgrade. */
export async function tunnelPortForward(req: IncomingMessage, socket: Duplex, head: Buffer, dial: () => Promise<Upgraded>, shutdown: AbortSignal): Promise<void> {
  let upstream: Duplex;
  try {
    ({ socket: upstream } = await dial());
  } catch (err) {
    streamTunnelRequests.inc({ code: '500' });
    throw err;
  }
  streamTunnelRequests.inc({ code: '101' });
  const ws = await acceptWebSocket(req, socket, head, TUNNEL_PROTOCOL);
  await new Promise<void>((resolve) => {
    const abort = (): void => {
      upstream.destroy();
      ws.terminate();
    };
    let awaitingDrain = false;
    ws.on('message', (data) => {
      if (!upstream.write(asBuffer(data)) && !awaitingDrain) {
        awaitingDrain = true;
        ws.pause();
        upstream.once('drain', () => {
          awaitingDrain = false;
          ws.resume();
        });
      }
    });
    // the client reads slower than the kubelet writes: stop reading the kubelet while many messages are unsent
    let pendingSends = 0;
    upstream.on('data', (d: Buffer) => {
      if (++pendingSends === MAX_PENDING_SENDS) upstream.pause();
      ws.send(d, { binary: true }, () => {
        if (--pendingSends === MAX_PENDING_SENDS / 2) upstream.resume();
      });
    });
    upstream.on('error', () => upstream.destroy());
    ws.on('error', () => ws.terminate());
    upstream.once('close', () => ws.close(1000));
    ws.once('close', () => {
      upstream.destroy();
      shutdown.removeEventListener('abort', abort);
      resolve();
    });
    shutdown.addEventListener('abort', abort, { once: true });
  });
}
