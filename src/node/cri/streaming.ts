// CriStreaming: the CRI calls that hand out streaming URLs (Exec, Attach, PortForward). Each answer is a one-time
// URL on containerd's streaming server (stream_server_address/port in containerd-config.ts); the kubelet proxies
// the client's SPDY or WebSocket upgrade to it unchanged. A client of its own so the unary CriClient stays as is.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CriError, grpcAddress } from './client.ts';

const protoPath = fileURLToPath(new URL('./streaming-v1.proto', import.meta.url));

type Unary = (req: object, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: { url: string }) => void) => grpc.ClientUnaryCall;
type ServiceClient = grpc.Client & Record<string, Unary>;
type ServiceCtor = new (address: string, creds: grpc.ChannelCredentials) => ServiceClient;

let ctor: ServiceCtor | undefined;

function service(): ServiceCtor {
  if (ctor) return ctor;
  const def = protoLoader.loadSync(protoPath, { keepCase: false, longs: Number, enums: String, defaults: true });
  ctor = (grpc.loadPackageDefinition(def) as unknown as { runtime: { v1: { RuntimeService: ServiceCtor } } }).runtime.v1.RuntimeService;
  return ctor;
}

export interface StreamFlags {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export class CriStreaming {
  private readonly client: ServiceClient;

  constructor(endpoint: string) {
    this.client = new (service())(grpcAddress(endpoint), grpc.credentials.createInsecure());
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
