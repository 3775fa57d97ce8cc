// Forwards an HTTP Upgrade request (SPDY/3.1 or WebSocket) to another server byte for byte: the request head is
// re-sent on a new connection with the client's headers (minus Host and credentials meant for this hop), then both
// sockets are piped. The upstream server's answer — 101 with its chosen subprotocol, or an error — reaches the
// client unchanged, so neither SPDY nor WebSocket framing is spoken here (upstream's UpgradeAwareHandler does the
// same). Used by the API server (to the kubelet) and by the kubelet (to the runtime's streaming server).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** Headers that belong to this hop only. */
const dropped = new Set(['host', 'authorization', 'proxy-authorization', 'impersonate-user', 'impersonate-group']);

/** The request line and headers to send upstream for target (path with query), keeping the client's header order. */
export function upgradeRequestHead(req: IncomingMessage, target: string, host: string): string {
  const lines = [`${req.method ?? 'GET'} ${target} HTTP/1.1`, `Host: ${host}`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (dropped.has(name.toLowerCase())) continue;
    // a header value cannot carry a line break once parsed, but stay safe against request smuggling
    lines.push(`${name}: ${raw[i + 1]!.replace(/[\r\n]/g, ' ')}`);
  }
  return lines.join('\r\n') + '\r\n\r\n';
}

/** Pipes client <-> upstream (head: bytes the client sent after its request head). Resolves when both are closed. */
export function pipeUpgrade(client: Duplex, head: Buffer, upstream: Duplex, signal?: AbortSignal): Promise<void> {
  if (head.length) upstream.write(head);
  client.pipe(upstream);
  upstream.pipe(client);
  return new Promise((resolve) => {
    let open = 2;
    const end = (): void => {
      if (--open > 0) return;
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const abort = (): void => {
      client.destroy();
      upstream.destroy();
    };
    // an error or close on one side ends the other: a half-open stream would hang the peer
    client.once('close', () => { upstream.destroy(); end(); });
    upstream.once('close', () => { client.destroy(); end(); });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
  });
}
