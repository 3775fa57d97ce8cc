// ClusterIP and NodePort allocation for Services, done in the apiserver's create/update/delete path as upstream
// does. Each allocated IP or port is a key in the store, taken with an atomic create, so two concurrent creates
// (even on two apiservers sharing one etcd) can never get the same address; deleting the Service frees them.
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { ApiError, type FieldError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';
import { KeyExistsError, KeyNotFoundError, type Store } from '../../../store/interface.ts';
import { formatIPv4, mustParseCidr, parseIPv4 } from '../../../api/net/ipv4.ts';

export interface ServiceAllocatorOptions {
  serviceCidr: string;
  nodePortRange: { min: number; max: number };
}

type Release = () => Promise<void>;

const ipKey = (ip: string) => `/registry/serviceipallocations/${ip}`;
const portKey = (port: number) => `/registry/servicenodeportallocations/${port}`;

function needsNodePorts(spec: Service['spec']): boolean {
  if (spec?.type === 'NodePort') return true;
  return spec?.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false;
}

function needsClusterIP(spec: Service['spec']): boolean {
  return (spec?.type ?? 'ClusterIP') !== 'ExternalName' && spec?.clusterIP !== 'None';
}

export class ServiceAllocator {
  private readonly base: number;
  private readonly size: number;

  constructor(private readonly store: Store, private readonly opts: ServiceAllocatorOptions) {
    const { base, bits } = mustParseCidr(opts.serviceCidr);
    this.base = base;
    this.size = 2 ** (32 - bits);
  }

  private get rangeText(): string {
    return this.opts.serviceCidr;
  }

  /** Allocates the Service's cluster IP and node ports (those given, or free ones); returns how to undo it. */
  async allocate(obj: KubeObject, old: KubeObject | undefined, dryRun: boolean): Promise<{ rollback: Release; commit: Release }> {
    const svc = obj as unknown as Service;
    const before = old as unknown as Service | undefined;
    const spec = (svc.spec ??= {}) as NonNullable<Service['spec']> & { clusterIP?: string; clusterIPs?: string[] };
    const taken: Release[] = [];
    const errors: FieldError[] = [];
    const owner = JSON.stringify({ namespace: obj.metadata?.namespace, name: obj.metadata?.name });
    try {
      const oldIP = before?.spec?.clusterIP;
      if (needsClusterIP(spec) && !(oldIP && needsClusterIP(before?.spec) && spec.clusterIP === oldIP)) {
        if (spec.clusterIP) {
          const err = await this.takeIP(spec.clusterIP, owner, dryRun, taken);
          if (err) errors.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: [spec.clusterIP], detail: `failed to allocate IP ${spec.clusterIP}: ${err}` });
        } else {
          spec.clusterIP = await this.anyIP(owner, dryRun, taken);
        }
        spec.clusterIPs = [spec.clusterIP];
      }
      if (needsNodePorts(spec)) {
        const held = new Set((needsNodePorts(before?.spec) ? before?.spec?.ports ?? [] : []).map((p) => p.nodePort).filter(Boolean));
        const ports = (spec.ports ?? []) as ServicePort[];
        const seen = new Set<number>();
        for (let i = 0; i < ports.length; i++) {
          const p = ports[i] as ServicePort & { nodePort?: number };
          if (p.nodePort && (held.has(p.nodePort) || seen.has(p.nodePort))) {
            seen.add(p.nodePort);
            continue;
          }
          if (p.nodePort) {
            const err = await this.takePort(p.nodePort, owner, dryRun, taken);
            if (err) errors.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, value: p.nodePort, detail: err });
          } else {
            p.nodePort = await this.anyPort(owner, dryRun, taken);
          }
          seen.add(p.nodePort!);
        }
      }
      if (errors.length) throw ApiError.invalid('Service', '', obj.metadata?.name ?? '', errors);
    } catch (e) {
      await Promise.all(taken.map((r) => r()));
      throw e;
    }
    return {
      rollback: async () => void (await Promise.all(taken.map((r) => r()))),
      // After a successful update: free what the old object held and the new one no longer does.
      commit: async () => {
        if (before && !dryRun) await this.releaseUnused(before, svc);
      },
    };
  }

  /** Frees everything the deleted Service held. */
  async release(obj: KubeObject): Promise<void> {
    const svc = obj as unknown as Service;
    if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None') await this.drop(ipKey(svc.spec.clusterIP));
    for (const p of svc.spec?.ports ?? []) if (p.nodePort) await this.drop(portKey(p.nodePort));
  }

  private async releaseUnused(before: Service, after: Service): Promise<void> {
    const keep = new Set([
      ...(needsClusterIP(after.spec) && after.spec?.clusterIP ? [ipKey(after.spec.clusterIP)] : []),
      ...(needsNodePorts(after.spec) ? (after.spec?.ports ?? []).filter((p) => p.nodePort).map((p) => portKey(p.nodePort!)) : []),
    ]);
    const had = [
      ...(before.spec?.clusterIP && before.spec.clusterIP !== 'None' ? [ipKey(before.spec.clusterIP)] : []),
      ...(before.spec?.ports ?? []).filter((p) => p.nodePort).map((p) => portKey(p.nodePort!)),
    ];
    for (const k of had) if (!keep.has(k)) await this.drop(k);
  }

  private async drop(key: string): Promise<void> {
    try {
      await this.store.delete(key);
    } catch (e) {
      if (!(e instanceof KeyNotFoundError)) throw e;
    }
  }

  private async claim(key: string, owner: string, dryRun: boolean, taken: Release[]): Promise<boolean> {
    if (dryRun) return !(await this.store.get(key));
    try {
      await this.store.create(key, owner);
      taken.push(() => this.drop(key));
      return true;
    } catch (e) {
      if (e instanceof KeyExistsError) return false;
      throw e;
    }
  }

  private async takeIP(ip: string, owner: string, dryRun: boolean, taken: Release[]): Promise<string | undefined> {
    const n = parseIPv4(ip);
    if (n === undefined || n <= this.base || n >= this.base + this.size - 1) {
      return `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.rangeText}`;
    }
    return (await this.claim(ipKey(ip), owner, dryRun, taken)) ? undefined : 'provided IP is already allocated';
  }

  private async anyIP(owner: string, dryRun: boolean, taken: Release[]): Promise<string> {
    const usable = this.size - 2;
    // Upstream keeps a low band of the range for static assignments and hands out dynamic IPs above it.
    const staticBand = Math.min(Math.max(16, Math.floor(usable / 16)), 256);
    const dynamic = usable - staticBand;
    const start = Math.floor(Math.random() * dynamic);
    for (let i = 0; i < usable; i++) {
      const offset = i < dynamic ? staticBand + ((start + i) % dynamic) : i - dynamic;
      const ip = formatIPv4(this.base + 1 + offset);
      if (await this.claim(ipKey(ip), owner, dryRun, taken)) return ip;
    }
    throw ApiError.of(500, 'InternalError', `Internal error occurred: failed to allocate a serviceIP: range is full`);
  }

  private async takePort(port: number, owner: string, dryRun: boolean, taken: Release[]): Promise<string | undefined> {
    const { min, max } = this.opts.nodePortRange;
    if (port < min || port > max) return `provided port is not in the valid range. The range of valid ports is ${min}-${max}`;
    return (await this.claim(portKey(port), owner, dryRun, taken)) ? undefined : 'provided port is already allocated';
  }

  private async anyPort(owner: string, dryRun: boolean, taken: Release[]): Promise<number> {
    const { min, max } = this.opts.nodePortRange;
    const count = max - min + 1;
    const start = Math.floor(Math.random() * count);
    for (let i = 0; i < count; i++) {
      const port = min + ((start + i) % count);
      if (await this.claim(portKey(port), owner, dryRun, taken)) return port;
    }
    throw ApiError.of(500, 'InternalError', 'Internal error occurred: failed to allocate a nodePort: range is full');
  }
}
