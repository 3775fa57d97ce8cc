// CriStreaming: the CRI calls that hand out streaming URLs (Exec, Attach, PortForward). Each answer is a one-time
// URL on containerd's streaming server (stream_server_address/port in containerd-config.ts); the kubelet proxies
// the client's SPDY or WebSocket upgrade to it unchanged. The same RuntimeService as CriClient's (runtime-v1.proto),
// as a client of its own: these calls answer with a URL, not with a typed message CriClient decodes.
import * as grpc from '@grpc/grpc-js';
import { CriError, grpcAddress, loadServices } from './client.ts';

type Unary = (req: object, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: { url: string }) => void) => grpc.ClientUnaryCall;
type ServiceClient = grpc.Client & Record<string, Unary>;

export interface StreamFlags {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export class CriStreaming {
  private readonly client: ServiceClient;

  constructor(endpoint: string) {
    this.client = new (loadServices().runtime)(grpcAddress(endpoint), grpc.credentials.createInsecure()) as unknown as ServiceClient;
  }

  private url(method: string, req: object): Promise<string> {
    return new Promise((resolve, reject) => {
      this.client[method](req, new grpc.Metadata(), { deadline: new Date(Date.now() + 30_000) }, (err, res) => {
        if (err) reject(new CriError(method, err.code, err.details || err.message));
        else resolve(res.url);
      });
    });
  }

  exec(containerId: string, cmd: string[], f: StreamFlags): Promise<string> {
    return this.url('Exec', { containerId, cmd, ...f });
  }

  attach(containerId: string, f: StreamFlags): Promise<string> {
    return this.url('Attach', { containerId, ...f });
  }

  portForward(podSandboxId: string, ports: number[]): Promise<string> {
    return this.url('PortForward', { podSandboxId, port: ports });
  }

  close(): void {
    this.client.close();
  }
}
