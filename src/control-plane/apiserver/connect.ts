// pods/log, pods/exec, pods/attach and pods/portforward (upstream's Connecter REST): the API server finds the
// pod's node (its InternalIP and status.daemonEndpoints.kubeletEndpoint.Port) and talks to that node's kubelet
// over TLS with its own kubelet-client certificate. The kubelet's serving certificate is not verified, as
// upstream does without --kubelet-certificate-authority. Logs stream through (each chunk written as it arrives,
// the body ends when the kubelet's does); exec/attach/portforward need an HTTP Upgrade (server.ts hands the
// socket over through upgradeOf) whose request is forwarded as is, so the kubelet's — really the container
// runtime's — answer decides the protocol: SPDY/3.1 and WebSocket channel.k8s.io up to v4.channel.k8s.io (the
// official Python client's), as containerd 1.6 speaks them. Two WebSocket requests are served here instead, as
// upstream ≥ 1.30 does: exec/attach offering v5.channel.k8s.io (kubectl ≥ 1.30) are translated into SPDY toward
// the kubelet (stream-translator.ts), and port-forward's SPDY-over-WebSocket tunnel (kubectl ≥ 1.31) is relayed
// onto a SPDY upgrade to the kubelet (stream-tunnel.ts).
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.ts';
import type { ConnectSubresource } from '../../api/strategy.ts';
import type { KeyAndCert } from '../../pki/certs.ts';
import { pipeUpgrade, upgradeRequestHead } from '../../net/upgrade-proxy.ts';
import type { GenericStore } from './registry/generic-store.ts';
import type { ResourceRequest } from './request-info.ts';
import { dialSpdy, dialUpgrade } from '../../net/spdy/dial.ts';
import { logTarget, portForwardTarget, streamOptions, streamTarget } from './connect-options.ts';
import { KUBELET_PROTOCOL, translateStream, wantsStreamTranslation } from './stream-translator.ts';
import { PORTFORWARD_PROTOCOL, tunnelPortForward, wantsTunnel } from './stream-tunnel.ts';

interface Upgrade {
  socket: Duplex;
  head: Buffer;
}

const upgrades = new WeakMap<IncomingMessage, Upgrade>();

/** Marks req as an HTTP Upgrade whose socket the connect handler may take over. */
export function markUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  upgrades.set(req, { socket, head });
}

export interface NodeConnectorOptions {
  nodes: () => GenericStore | undefined;
  kubeletClient: KeyAndCert;
  shutdown: AbortSignal;
}

interface KubeletAddress {
  host: string;
  port: number;
}

export class NodeConnector {
  constructor(private readonly o: NodeConnectorOptions) {}

  async connect(req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, _sub: ConnectSubresource, query: URLSearchParams): Promise<void> {
    const pod = (await store.get(info.namespace, info.name)) as Pod;
    const kind = info.subresource;
    if (kind === 'log') {
      const target = logTarget(pod, query);
      // a pod not yet on a node has no logs (upstream: no location, an empty stream)
      if (!pod.spec?.nodeName) return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end();
      return this.streamLog(res, await this.kubelet(pod.spec.nodeName), target);
    }
    const target = kind === 'portforward' ? portForwardTarget(pod, query) : streamTarget(kind === 'attach' ? 'attach' : 'exec', pod, query);
    if (!pod.spec?.nodeName) throw ApiError.badRequest(`pod ${pod.metadata?.name} does not have a host assigned`);
    const upgrade = upgrades.get(req);
    if (!upgrade) throw ApiError.badRequest('Upgrade request required');
    const k = await this.kubelet(pod.spec.nodeName);
    const request = { ...this.tlsOptions(k), path: target };
    if (kind !== 'portforward' && wantsStreamTranslation(req)) {
      const dial = async () => (await dialSpdy({ request, protocols: [KUBELET_PROTOCOL], signal: this.o.shutdown })).session;
      return translateStream(req, upgrade.socket, upgrade.head, streamOptions(query), dial, this.o.shutdown);
    }
    if (kind === 'portforward' && wantsTunnel(req)) {
      const dial = () => dialUpgrade({ request, protocols: [PORTFORWARD_PROTOCOL], signal: this.o.shutdown }).catch((err: unknown) => {
        throw ApiError.internal(`error dialing backend: ${(err as Error).message}`);
      });
      return tunnelPortForward(req, upgrade.socket, upgrade.head, dial, this.o.shutdown);
    }
    return this.proxyUpgrade(req, upgrade, k, target);
  }

  /** Where the node's kubelet listens: its InternalIP (else any address) and its advertised port. */
  private async kubelet(nodeName: string): Promise<KubeletAddress> {
    const nodes = this.o.nodes();
    if (!nodes) throw ApiError.internal('no node storage');
    const node = (await nodes.get('', nodeName)) as Node;
    const addrs = node.status?.addresses ?? [];
    const host = (addrs.find((a) => a.type === 'InternalIP') ?? addrs.find((a) => a.type !== 'Hostname') ?? addrs[0])?.address;
    if (!host) throw ApiError.badRequest(`node ${nodeName} has no address`);
    return { host, port: node.status?.daemonEndpoints?.kubeletEndpoint?.Port || 10250 };
  }

  private tlsOptions(k: KubeletAddress): { host: string; port: number; cert: string; key: string; rejectUnauthorized: false } {
    return { host: k.host, port: k.port, cert: this.o.kubeletClient.certPem, key: this.o.kubeletClient.keyPem, rejectUnauthorized: false };
  }

  private streamLog(res: ServerResponse, k: KubeletAddress, target: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const upstream = httpsRequest({ ...this.tlsOptions(k), path: target, method: 'GET', agent: false }, (kres) => {
        if (kres.statusCode !== 200) {
          const chunks: Buffer[] = [];
          kres.on('data', (c: Buffer) => chunks.push(c));
          kres.on('end', () => reject(kubeletError(kres.statusCode ?? 500, Buffer.concat(chunks).toString('utf8').trim())));
          kres.on('error', reject);
          return;
        }
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
        res.flushHeaders();
        kres.pipe(res);
        kres.on('end', () => resolve());
        kres.on('error', () => { res.destroy(); resolve(); });
      });
      upstream.on('error', (err) => {
        if (res.headersSent) {
          res.destroy();
          resolve();
        } else reject(ApiError.internal(`Get "https://${k.host}:${k.port}${target}": ${err.message}`));
      });
      // the client going away (or the server stopping) ends the kubelet request, and with it a follow
      res.once('close', () => upstream.destroy());
      const onShutdown = (): void => { upstream.destroy(); res.destroy(); };
      this.o.shutdown.addEventListener('abort', onShutdown, { once: true });
      res.once('close', () => this.o.shutdown.removeEventListener('abort', onShutdown));
      upstream.end();
    });
  }

  private proxyUpgrade(req: IncomingMessage, up: Upgrade, k: KubeletAddress, target: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const upstream = tlsConnect(this.tlsOptions(k));
      let connected = false;
      upstream.once('secureConnect', () => {
        connected = true;
        upstream.write(upgradeRequestHead(req, target, `${k.host}:${k.port}`));
        resolve(pipeUpgrade(up.socket, up.head, upstream, this.o.shutdown));
      });
      upstream.once('error', (err) => {
        if (!connected) reject(ApiError.internal(`error dialing backend: ${err.message}`));
      });
    });
  }
}

/** The kubelet's answer as a Status (upstream's GenericHttpResponseChecker: its text becomes the message). */
function kubeletError(status: number, text: string): ApiError {
  if (status === 400) return ApiError.badRequest(text);
  if (status === 404) return ApiError.of(404, 'NotFound', text);
  if (status === 401 || status === 403) return ApiError.of(500, 'InternalError', `the kubelet refused the API server: ${text}`);
  return ApiError.internal(text);
}
