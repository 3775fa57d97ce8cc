// Server-side defaulting per kind, as upstream's SetDefaults_* run on every decoded request body (create, update,
// patch result). Only idempotent field defaults belong here (the namespace finalizer is guarded to never-stored
// objects); createPreparers mirrors upstream's PrepareForCreate, admission.ts the admission plugins' mutations.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Endpoints, Namespace, Node, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Defaulter } from '../strategy.ts';
import type { KindKey, KubeObject } from '../object.ts';
import { defaultPod, defaultPodSpec, podQOSClass } from './pod.ts';

const unset = (v: unknown): boolean => v === undefined || v === null || v === '';

function defaultTemplateSpec(obj: { spec?: { template?: { metadata?: object; spec?: object } } }): void {
  const template = obj.spec?.template;
  if (!template) return;
  // An embedded ObjectMeta is a Go struct: its unset creationTimestamp is written as null, so upstream serves
  // `template.metadata.creationTimestamp: null` (and kubectl apply's three-way diff compares against it).
  const meta = (template.metadata ??= {}) as { creationTimestamp?: string | null };
  if (meta.creationTimestamp === undefined) meta.creationTimestamp = null;
  if (template.spec) defaultPodSpec(template.spec as Parameters<typeof defaultPodSpec>[0]);
}

export const defaultDeployment: Defaulter = (obj) => {
  const d = obj as unknown as Deployment;
  const spec = (d.spec ??= { selector: {}, template: {} } as Deployment['spec'] & object);
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  const strategy = (spec.strategy ??= {});
  if (unset(strategy.type)) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) spec.progressDeadlineSeconds = 600;
  defaultTemplateSpec(d);
};

export const defaultReplicaSet: Defaulter = (obj) => {
  const rs = obj as unknown as ReplicaSet;
  const spec = (rs.spec ??= { selector: {} });
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  defaultTemplateSpec(rs);
};

export const defaultService: Defaulter = (obj) => {
  const svc = obj as unknown as Service;
  const spec = (svc.spec ??= {});
  if (unset(spec.sessionAffinity)) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? null) === null) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (unset(spec.type)) spec.type = 'ClusterIP';
  for (const p of spec.ports ?? []) {
    if (unset(p.protocol)) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.externalIPs?.length ?? 0) > 0;
  if (external && unset(spec.externalTrafficPolicy)) spec.externalTrafficPolicy = 'Cluster';
  if (unset(spec.internalTrafficPolicy) && (spec.type === 'ClusterIP' || spec.type === 'NodePort' || spec.type === 'LoadBalancer')) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts ?? null) === null) spec.allocateLoadBalancerNodePorts = true;
  if (spec.type === 'LoadBalancer') {
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip && unset(ing.ipMode)) ing.ipMode = 'VIP';
  }
  // clusterIP and clusterIPs mirror each other (upstream's registry normalizes them before allocation).
  if (!unset(spec.clusterIP) && !(spec.clusterIPs?.length)) spec.clusterIPs = [spec.clusterIP as string];
  else if (unset(spec.clusterIP) && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
  // Single-stack IPv4 cluster: what upstream's registry records for every non-ExternalName service.
  if (spec.type !== 'ExternalName') {
    if (unset(spec.ipFamilyPolicy)) spec.ipFamilyPolicy = 'SingleStack';
    if (!(spec.ipFamilies?.length)) spec.ipFamilies = ['IPv4'];
  }
};

export const defaultNamespace: Defaulter = (obj) => {
  const ns = obj as unknown as Namespace;
  const name = ns.metadata?.name;
  if (name) {
    const meta = (ns.metadata ??= {});
    meta.labels = { ...(meta.labels ?? {}), 'kubernetes.io/metadata.name': name };
  }
  // Upstream adds the "kubernetes" finalizer in PrepareForCreate only. Stored objects always carry both uid and
  // creationTimestamp (the registry restores them before defaulting an update), so this stays create-only.
  const stored = Boolean(ns.metadata?.uid && ns.metadata?.creationTimestamp);
  if (!stored && !ns.metadata?.deletionTimestamp) {
    const spec = (ns.spec ??= {});
    const finalizers = (spec.finalizers ??= []);
    if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
  }
  const status = (ns.status ??= {});
  if (unset(status.phase)) status.phase = 'Active';
};

export const defaultNode: Defaulter = (obj) => {
  const node = obj as unknown as Node;
  const status = node.status;
  if (status && (status.allocatable ?? null) === null && status.capacity) status.allocatable = { ...status.capacity };
};

export const defaultSecret: Defaulter = (obj) => {
  const s = obj as unknown as Secret;
  if (unset(s.type)) s.type = 'Opaque';
  // stringData is write-only: upstream's conversion merges it over data (base64) and never stores it.
  if (s.stringData) {
    const data = (s.data ??= {});
    for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete s.stringData;
  }
};

export const defaultEndpoints: Defaulter = (obj) => {
  for (const ss of (obj as unknown as Endpoints).subsets ?? []) {
    for (const p of ss.ports ?? []) if (unset(p.protocol)) p.protocol = 'TCP';
  }
};

export const defaultEndpointSlice: Defaulter = (obj) => {
  for (const p of (obj as unknown as EndpointSlice).ports ?? []) {
    if (p.name === undefined || p.name === null) p.name = '';
    if (unset(p.protocol)) p.protocol = 'TCP';
  }
};

const none: Defaulter = () => {};

/** Field defaults per kind (every served kind has an entry, possibly a no-op). */
export const defaulters: Record<KindKey, Defaulter> = {
  'v1/Pod': defaultPod,
  'v1/Service': defaultService,
  'v1/Namespace': defaultNamespace,
  'v1/Node': defaultNode,
  'v1/Secret': defaultSecret,
  'v1/Endpoints': defaultEndpoints,
  'v1/ConfigMap': none,
  'v1/ServiceAccount': none,
  'v1/Event': none,
  'v1/Binding': none,
  'apps/v1/Deployment': defaultDeployment,
  'apps/v1/ReplicaSet': defaultReplicaSet,
  'autoscaling/v1/Scale': none,
  'coordination.k8s.io/v1/Lease': none,
  'discovery.k8s.io/v1/EndpointSlice': defaultEndpointSlice,
  'events.k8s.io/v1/Event': none,
};

/** Applies the kind's defaulter if there is one. */
export function applyDefaults(kind: KindKey, obj: KubeObject): void {
  defaulters[kind]?.(obj);
}

/**
 * What upstream's strategies do once in PrepareForCreate beyond generic metadata: a new Pod's status is
 * {phase: Pending, qosClass}; a new Namespace is Active and carries the "kubernetes" finalizer.
 */
export const createPreparers: Record<KindKey, Defaulter> = {
  'v1/Pod': (obj) => {
    obj.status = { phase: 'Pending', qosClass: podQOSClass((obj as { spec?: Parameters<typeof podQOSClass>[0] }).spec) };
  },
  'v1/Namespace': (obj) => {
    const ns = obj as unknown as Namespace;
    const spec = (ns.spec ??= {});
    const finalizers = (spec.finalizers ??= []);
    if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
    ns.status = { phase: 'Active' };
  },
};

export { defaultPod, defaultPodSpec, podQOSClass, defaultPullPolicy, imageTag } from './pod.ts';
