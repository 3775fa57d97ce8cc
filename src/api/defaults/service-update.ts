// Upstream's patchAllocatedValues (pkg/registry/core/service/storage): on a Service update, values the server
// allocated (cluster IPs, node ports, health-check node port) that the client left out are carried over from the
// stored object, so a PUT of a hand-written manifest neither loses nor "changes" them. Call before defaulting and
// validating an update.
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../object.ts';

const needsClusterIP = (s: Service): boolean => (s.spec?.type ?? 'ClusterIP') !== 'ExternalName';

function needsNodePort(s: Service): boolean {
  const type = s.spec?.type;
  if (type === 'NodePort') return true;
  return type === 'LoadBalancer' && s.spec?.allocateLoadBalancerNodePorts !== false;
}

const needsHealthCheckNodePort = (s: Service): boolean =>
  s.spec?.type === 'LoadBalancer' && s.spec?.externalTrafficPolicy === 'Local';

export function carryOverAllocatedValues(obj: KubeObject, oldObj: KubeObject): void {
  const svc = obj as unknown as Service;
  const old = oldObj as unknown as Service;
  if (!svc.spec || !old.spec) return;
  const spec = svc.spec;
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!spec.clusterIP && old.spec.clusterIP) spec.clusterIP = old.spec.clusterIP;
    if (!spec.clusterIPs?.length && old.spec.clusterIPs?.length) spec.clusterIPs = [...old.spec.clusterIPs];
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const usedBy = (ports: ServicePort[] | undefined): Set<number> => new Set((ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n));
    const oldUsed = usedBy(old.spec.ports);
    const newUsed = usedBy(spec.ports);
    const used = new Set([...oldUsed].filter((n) => newUsed.has(n)));
    // Matched by port name, as upstream does: other properties of the port may have changed.
    const byName = new Map((old.spec.ports ?? []).map((p) => [p.name ?? '', p.nodePort ?? 0]));
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const prev = byName.get(p.name ?? '') ?? 0;
      if (prev && !used.has(prev)) p.nodePort = prev;
    }
  }
  if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(svc) && !spec.healthCheckNodePort) {
    if (old.spec.healthCheckNodePort) spec.healthCheckNodePort = old.spec.healthCheckNodePort;
  }
}
