// Replica arithmetic of the Deployment controller (upstream deploymentutil): maxSurge/maxUnavailable resolution,
// replica sums over ReplicaSets, saturation, and the orderings ReplicaSets are scaled and cleaned up in.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { desiredReplicasAnnotation, revisionAnnotation } from './deployment-names.ts';

export const specReplicas = (o: { spec?: { replicas?: number } } | undefined): number => o?.spec?.replicas ?? 1;
const rsSpec = (rs: ReplicaSet): number => rs.spec?.replicas ?? 0;

/** Upstream intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean, fallback: string): number {
  const x = v ?? fallback;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) {
    const n = Number(x);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: invalid value "${x}"`);
  }
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

const isRolling = (d: Deployment): boolean => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** Upstream ResolveFenceposts: surge rounds up, unavailable down; both zero means one may be unavailable. */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  const desired = specReplicas(d);
  const ru = d.spec?.strategy?.rollingUpdate;
  const surge = scaledValue(ru?.maxSurge, desired, true, '25%');
  let unavailable = scaledValue(ru?.maxUnavailable, desired, false, '25%');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  return isRolling(d) ? resolveFenceposts(d).surge : 0;
}

export function maxUnavailable(d: Deployment): number {
  const desired = specReplicas(d);
  if (!isRolling(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, desired);
}

export const sumSpecReplicas = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((n, rs) => n + (rs ? rsSpec(rs) : 0), 0);
export const sumStatusReplicas = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
export const sumReady = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
export const sumAvailable = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

export function activeReplicaSets(rss: (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => !!rs && rsSpec(rs) > 0);
}

/** Upstream NewRSNewReplicas: how big the new ReplicaSet may be now. */
export function newRSNewReplicas(d: Deployment, all: (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  if (!isRolling(d)) return specReplicas(d);
  const maxTotal = specReplicas(d) + scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge, specReplicas(d), true, '25%');
  const current = sumSpecReplicas(all);
  if (current >= maxTotal) return rsSpec(newRS);
  return rsSpec(newRS) + Math.min(maxTotal - current, specReplicas(d) - rsSpec(newRS));
}

export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = Number(rs.metadata?.annotations?.[desiredReplicasAnnotation]);
  return desired === specReplicas(d) && rsSpec(rs) === specReplicas(d) && (rs.status?.availableReplicas ?? 0) === specReplicas(d);
}

// Orderings.

const created = (rs: ReplicaSet): number => Date.parse(rs.metadata?.creationTimestamp ?? '') || 0;

/** Oldest first; equal times by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

export function revisionOf(rs: { metadata?: { annotations?: Record<string, string> } } | undefined): number {
  const v = rs?.metadata?.annotations?.[revisionAnnotation];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
}

export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

/** Larger first; ties newer first (scaling up) or older first (scaling down). */
export function bySize(newerFirst: boolean): (a: ReplicaSet, b: ReplicaSet) => number {
  return (a, b) => rsSpec(b) - rsSpec(a) || (newerFirst ? byCreation(b, a) : byCreation(a, b));
}

export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}
