// Resource arithmetic as the scheduler does it: quantities as integers (cpu in millicores, the rest in whole units,
// both rounded up as resource.Quantity's MilliValue/Value do), a pod's effective request (containers summed, each
// init container's request as a floor, sidecars added, overhead on top), and the "non-zero" request that scoring
// uses so that pods without requests still count (100m cpu, 200Mi memory, as upstream's defaults).
import type { Container, Pod, ResourceRequirements } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/validation/quantity.ts';

export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources (example.com/gpu, hugepages-2Mi…) in whole units. */
  scalar: Map<string, number>;
}

export const defaultMilliCPURequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;

export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: new Map() };
}

const parsed = new Map<string, bigint | undefined>();
function nano(q: string | number): bigint {
  const key = String(q);
  let v = parsed.get(key);
  if (v === undefined && !parsed.has(key)) {
    v = parseQuantity(key);
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(key, v);
  }
  return v ?? 0n;
}

const billion = 1_000_000_000n;
const million = 1_000_000n;
function ceilDiv(a: bigint, b: bigint): bigint {
  return a >= 0n ? (a + b - 1n) / b : a / b;
}

export function milliValue(q: string | number | undefined): number {
  return q === undefined ? 0 : Number(ceilDiv(nano(q), million));
}

export function value(q: string | number | undefined): number {
  return q === undefined ? 0 : Number(ceilDiv(nano(q), billion));
}

/** Extended resources the scheduler accounts for: domain-prefixed names outside kubernetes.io, and hugepages. */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  if (!name.includes('/')) return false;
  const domain = name.slice(0, name.indexOf('/'));
  return domain !== 'kubernetes.io' && !domain.endsWith('.kubernetes.io') && !name.startsWith('requests.');
}

type ResourceList = Record<string, string | number>;

export function addList(r: Resources, list: ResourceList | undefined): void {
  if (!list) return;
  for (const [name, q] of Object.entries(list)) {
    if (name === 'cpu') r.milliCPU += milliValue(q);
    else if (name === 'memory') r.memory += value(q);
    else if (name === 'ephemeral-storage') r.ephemeralStorage += value(q);
    else if (isScalarResourceName(name)) r.scalar.set(name, (r.scalar.get(name) ?? 0) + value(q));
  }
}

function maxWith(r: Resources, o: Resources): void {
  r.milliCPU = Math.max(r.milliCPU, o.milliCPU);
  r.memory = Math.max(r.memory, o.memory);
  r.ephemeralStorage = Math.max(r.ephemeralStorage, o.ephemeralStorage);
  for (const [k, v] of o.scalar) r.scalar.set(k, Math.max(r.scalar.get(k) ?? 0, v));
}

function addTo(r: Resources, o: Resources): void {
  r.milliCPU += o.milliCPU;
  r.memory += o.memory;
  r.ephemeralStorage += o.ephemeralStorage;
  for (const [k, v] of o.scalar) r.scalar.set(k, (r.scalar.get(k) ?? 0) + v);
}

function requestsOf(c: Container, nonZero: boolean): Resources {
  const r = emptyResources();
  const req = (c.resources as ResourceRequirements | undefined)?.requests as ResourceList | undefined;
  addList(r, req);
  if (nonZero) {
    if (req?.cpu === undefined) r.milliCPU = defaultMilliCPURequest;
    if (req?.memory === undefined) r.memory = defaultMemoryRequest;
  }
  return r;
}

/**
 * The pod's effective request: sum of app containers plus restartable init containers (sidecars), at least the
 * largest regular init container's request (with the sidecars started before it), plus pod overhead.
 * nonZero substitutes upstream's defaults for missing cpu/memory requests (scoring only).
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const total = emptyResources();
  for (const c of pod.spec?.containers ?? []) addTo(total, requestsOf(c, nonZero));
  const sidecars = emptyResources();
  const initFloor = emptyResources();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = requestsOf(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addTo(sidecars, r);
      addTo(total, r);
    } else {
      const withSidecars = emptyResources();
      addTo(withSidecars, r);
      addTo(withSidecars, sidecars);
      maxWith(initFloor, withSidecars);
    }
  }
  maxWith(total, initFloor);
  addList(total, pod.spec?.overhead as ResourceList | undefined);
  return total;
}
