// CriClient: the kubelet's side of the CRI runtime.v1 gRPC API (RuntimeService + ImageService) over a unix socket,
// using the proto subset in runtime-v1.proto loaded at run time by @grpc/proto-loader. Every call has a deadline
// (CRI calls that hang would stall a pod worker forever) and may take an AbortSignal; errors keep their gRPC code.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type {
  AuthConfig, Container, ContainerConfig, ContainerFilter, ContainerStatus, ExecSyncResponse, Image, ImageSpec, PodSandbox,
  PodSandboxConfig, PodSandboxFilter, PodSandboxStatus, RuntimeCondition, VersionResponse,
} from './types.ts';

const protoPath = fileURLToPath(new URL('./runtime-v1.proto', import.meta.url));

type Unary = (req: object, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => grpc.ClientUnaryCall;
type ServiceClient = grpc.Client & Record<string, Unary>;
export type ServiceCtor = new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ClientOptions) => ServiceClient;

let services: { runtime: ServiceCtor; image: ServiceCtor } | undefined;

/** The RuntimeService and ImageService clients' constructors, from runtime-v1.proto (loaded once). */
export function loadServices(): { runtime: ServiceCtor; image: ServiceCtor } {
  if (services) return services;
  const def = protoLoader.loadSync(protoPath, { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { runtime: { v1: { RuntimeService: ServiceCtor; ImageService: ServiceCtor } } };
  services = { runtime: pkg.runtime.v1.RuntimeService, image: pkg.runtime.v1.ImageService };
  return services;
}

/** "unix:///run/containerd/containerd.sock" or a bare socket path -> the address grpc-js dials. */
export function grpcAddress(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return `unix://${endpoint.slice('unix://'.length)}`;
  if (endpoint.startsWith('/')) return `unix://${endpoint}`;
  return endpoint;
}

export interface CallOpts {
  signal?: AbortSignal;
  /** Default 2 minutes: pulls and sandbox starts can be slow, but must not hang forever. */
  timeoutMs?: number;
}

/** A CRI error with its gRPC status code (e.g. grpc.status.NOT_FOUND). */
export class CriError extends Error {
  constructor(readonly method: string, readonly code: grpc.status, readonly details: string) {
    super(`${method}: ${details}`);
    this.name = 'CriError';
  }
}

/** "rpc error: code = NotFound desc = …", the way Go's gRPC prints a status (and upstream's messages quote it). */
export function rpcErrorText(err: unknown): string {
  if (!(err instanceof CriError)) return err instanceof Error ? err.message : String(err);
  const name = (grpc.status[err.code] ?? String(err.code)).toLowerCase().replace(/(^|_)(\w)/g, (_m, _u, c: string) => c.toUpperCase());
  return `rpc error: code = ${name} desc = ${err.details}`;
}

export function isCriNotFound(err: unknown): boolean {
  return err instanceof CriError && err.code === grpc.status.NOT_FOUND;
}

export class CriClient {
  private readonly runtime: ServiceClient;
  private readonly image: ServiceClient;

  constructor(readonly endpoint: string) {
    const { runtime, image } = loadServices();
    // The first reconnect after a refused connection waits grpc-js's default 1 s: a kubelet asking a containerd it
    // has just spawned (waitReady) lost that second at every start where it asked before the socket was up (a
    // restart with warm caches did, consistently). A local socket is cheap to retry: start at 100 ms.
    const opts: grpc.ClientOptions = { 'grpc.max_receive_message_length': 16 << 20, 'grpc.initial_reconnect_backoff_ms': 100 };
    const creds = grpc.credentials.createInsecure();
    this.runtime = new runtime(grpcAddress(endpoint), creds, opts);
    this.image = new image(grpcAddress(endpoint), creds, opts);
  }

  private call<T>(client: ServiceClient, method: string, req: object, o: CallOpts = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (o.signal?.aborted) return reject(o.signal.reason instanceof Error ? o.signal.reason : new Error('aborted'));
      const deadline = new Date(Date.now() + (o.timeoutMs ?? 120_000));
      const call = client[method](req, new grpc.Metadata(), { deadline }, (err, res) => {
        o.signal?.removeEventListener('abort', onAbort);
        if (err) reject(new CriError(method, err.code, err.details || err.message));
        else resolve(res as T);
      });
      const onAbort = (): void => call.cancel();
      o.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  version(o?: CallOpts): Promise<VersionResponse> {
    return this.call(this.runtime, 'Version', { version: 'v1' }, o);
  }

  async status(o?: CallOpts): Promise<RuntimeCondition[]> {
    const res = await this.call<{ status: { conditions: RuntimeCondition[] } | null }>(this.runtime, 'Status', {}, o);
    return res.status?.conditions ?? [];
  }

  async runPodSandbox(config: PodSandboxConfig, o?: CallOpts): Promise<string> {
    return (await this.call<{ podSandboxId: string }>(this.runtime, 'RunPodSandbox', { config }, o)).podSandboxId;
  }

  async stopPodSandbox(podSandboxId: string, o?: CallOpts): Promise<void> {
    await this.call(this.runtime, 'StopPodSandbox', { podSandboxId }, o);
  }

  async removePodSandbox(podSandboxId: string, o?: CallOpts): Promise<void> {
    await this.call(this.runtime, 'RemovePodSandbox', { podSandboxId }, o);
  }

  async podSandboxStatus(podSandboxId: string, o?: CallOpts): Promise<PodSandboxStatus> {
    return (await this.call<{ status: PodSandboxStatus }>(this.runtime, 'PodSandboxStatus', { podSandboxId }, o)).status;
  }

  async listPodSandbox(filter: PodSandboxFilter = {}, o?: CallOpts): Promise<PodSandbox[]> {
    return (await this.call<{ items: PodSandbox[] }>(this.runtime, 'ListPodSandbox', { filter }, o)).items;
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig, o?: CallOpts): Promise<string> {
    const res = await this.call<{ containerId: string }>(this.runtime, 'CreateContainer', { podSandboxId, config, sandboxConfig }, o);
    return res.containerId;
  }

  async startContainer(containerId: string, o?: CallOpts): Promise<void> {
    await this.call(this.runtime, 'StartContainer', { containerId }, o);
  }

  /** timeoutSeconds: grace before the runtime SIGKILLs (0 = at once). The RPC deadline allows for it. */
  async stopContainer(containerId: string, timeoutSeconds: number, o: CallOpts = {}): Promise<void> {
    await this.call(this.runtime, 'StopContainer', { containerId, timeout: timeoutSeconds }, { ...o, timeoutMs: o.timeoutMs ?? timeoutSeconds * 1000 + 30_000 });
  }

  async removeContainer(containerId: string, o?: CallOpts): Promise<void> {
    await this.call(this.runtime, 'RemoveContainer', { containerId }, o);
  }

  async listContainers(filter: ContainerFilter = {}, o?: CallOpts): Promise<Container[]> {
    return (await this.call<{ containers: Container[] }>(this.runtime, 'ListContainers', { filter }, o)).containers;
  }

  async containerStatus(containerId: string, o?: CallOpts): Promise<ContainerStatus> {
    return (await this.call<{ status: ContainerStatus }>(this.runtime, 'ContainerStatus', { containerId }, o)).status;
  }

  execSync(containerId: string, cmd: string[], timeoutSeconds: number, o: CallOpts = {}): Promise<ExecSyncResponse> {
    return this.call(this.runtime, 'ExecSync', { containerId, cmd, timeout: timeoutSeconds }, { ...o, timeoutMs: o.timeoutMs ?? timeoutSeconds * 1000 + 10_000 });
  }

  async listImages(o?: CallOpts): Promise<Image[]> {
    return (await this.call<{ images: Image[] }>(this.image, 'ListImages', {}, o)).images;
  }

  /** The image, or null when the runtime does not have it. */
  async imageStatus(image: ImageSpec, o?: CallOpts): Promise<Image | null> {
    return (await this.call<{ image: Image | null }>(this.image, 'ImageStatus', { image }, o)).image;
  }

  /** Returns the image reference (ID) the runtime pulled. */
  async pullImage(image: ImageSpec, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig, o: CallOpts = {}): Promise<string> {
    const res = await this.call<{ imageRef: string }>(this.image, 'PullImage', { image, auth, sandboxConfig }, { ...o, timeoutMs: o.timeoutMs ?? 600_000 });
    return res.imageRef;
  }

  async removeImage(image: ImageSpec, o?: CallOpts): Promise<void> {
    await this.call(this.image, 'RemoveImage', { image }, o);
  }

  /** Resolves once the runtime answers Version, retrying while its socket is not up yet. */
  async waitReady(timeoutMs = 30_000, signal?: AbortSignal): Promise<VersionResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.version({ timeoutMs: 2000, signal });
      } catch (err) {
        if (signal?.aborted || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  close(): void {
    this.runtime.close();
    this.image.close();
  }
}
