// Pod and pod-template defaulting (upstream pkg/apis/core/v1/defaults.go plus the declarative +default markers):
// defaultPodSpec is what every PodSpec gets (also inside Deployment/ReplicaSet templates); defaultPod adds the
// Pod-only ones (requests from limits, enableServiceLinks, host-network hostPorts). Mutates in place; JSON null is
// treated as "unset", as a Go decoder would.
import type { Container, PodSpec, Probe, LifecycleHandler, Volume, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../object.ts';

export const defaultTerminationGracePeriodSeconds = 30;
export const defaultSchedulerName = 'default-scheduler';
const defaultVolumeMode = 420; // 0644

type Obj = Record<string, unknown>;

const unset = (v: unknown): boolean => v === undefined || v === null;
const isEmpty = (v: unknown): boolean => unset(v) || v === '';

/** The tag of an image reference, "latest" when absent; a digest reference has no tag (upstream ParseImageName). */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash + 1);
  if (colon >= 0) return ref.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

/** Always for ":latest" or no tag, IfNotPresent otherwise (a digest without a tag counts as IfNotPresent). */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  // Unparseable references (empty, upper-case repository) give upstream no tag, hence IfNotPresent.
  const repo = image.split('@')[0];
  if (!image || /[A-Z]/.test(repo.slice(repo.indexOf('/') + 1).split(':')[0])) return 'IfNotPresent';
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: LifecycleHandler | undefined | null): void {
  if (!h) return;
  if (h.httpGet) {
    if (isEmpty(h.httpGet.path)) h.httpGet.path = '/';
    if (isEmpty(h.httpGet.scheme)) h.httpGet.scheme = 'HTTP';
  }
}

function defaultProbe(p: Probe | undefined | null): void {
  if (!p) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  defaultHandler(p as LifecycleHandler);
  if (p.grpc && unset(p.grpc.service)) p.grpc.service = '';
}

export function defaultContainer(c: Container): void {
  if (isEmpty(c.imagePullPolicy)) c.imagePullPolicy = defaultPullPolicy(c.image ?? '');
  if (isEmpty(c.terminationMessagePath)) c.terminationMessagePath = '/dev/termination-log';
  if (isEmpty(c.terminationMessagePolicy)) c.terminationMessagePolicy = 'File';
  for (const p of c.ports ?? []) if (isEmpty(p.protocol)) p.protocol = 'TCP';
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.fieldRef;
    if (ref && isEmpty(ref.apiVersion)) ref.apiVersion = 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

const volumeSources = ['hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs',
  'iscsi', 'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume',
  'scaleIO', 'storageos', 'csi', 'ephemeral', 'image'];

export function defaultVolume(v: Volume): void {
  const o = v as unknown as Obj;
  if (volumeSources.every((s) => unset(o[s]))) v.emptyDir = {};
  if (v.secret && unset(v.secret.defaultMode)) v.secret.defaultMode = defaultVolumeMode;
  if (v.configMap && unset(v.configMap.defaultMode)) v.configMap.defaultMode = defaultVolumeMode;
  if (v.downwardAPI) {
    if (unset(v.downwardAPI.defaultMode)) v.downwardAPI.defaultMode = defaultVolumeMode;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef && isEmpty(item.fieldRef.apiVersion)) item.fieldRef.apiVersion = 'v1';
  }
  if (v.projected) {
    if (unset(v.projected.defaultMode)) v.projected.defaultMode = defaultVolumeMode;
    for (const src of v.projected.sources ?? []) {
      if (src.serviceAccountToken && unset(src.serviceAccountToken.expirationSeconds)) src.serviceAccountToken.expirationSeconds = 3600;
      for (const item of src.downwardAPI?.items ?? []) if (item.fieldRef && isEmpty(item.fieldRef.apiVersion)) item.fieldRef.apiVersion = 'v1';
    }
  }
  if (v.hostPath && unset(v.hostPath.type)) v.hostPath.type = '';
  // Image volumes (1.31+) are newer than our types package.
  const image = o.image as { reference?: string; pullPolicy?: string } | undefined | null;
  if (image && isEmpty(image.pullPolicy)) image.pullPolicy = defaultPullPolicy(image.reference ?? '');
}

/** SetDefaults_PodSpec and everything reachable from it; safe for templates. */
export function defaultPodSpec(spec: PodSpec): void {
  if (isEmpty(spec.dnsPolicy)) spec.dnsPolicy = 'ClusterFirst';
  if (isEmpty(spec.restartPolicy)) spec.restartPolicy = 'Always';
  if (unset(spec.securityContext)) spec.securityContext = {};
  if (unset(spec.terminationGracePeriodSeconds)) spec.terminationGracePeriodSeconds = defaultTerminationGracePeriodSeconds;
  if (isEmpty(spec.schedulerName)) spec.schedulerName = defaultSchedulerName;
  // serviceAccount is the deprecated alias; upstream's conversion keeps both in step.
  if (isEmpty(spec.serviceAccountName) && !isEmpty(spec.serviceAccount)) spec.serviceAccountName = spec.serviceAccount;
  if (!isEmpty(spec.serviceAccountName)) spec.serviceAccount = spec.serviceAccountName;
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c as Container);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

function requestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (!limits || !c.resources) return;
  const requests = (c.resources.requests ??= {});
  for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
}

/** SetDefaults_Pod on top of the PodSpec defaults. */
export function defaultPod(obj: KubeObject): void {
  const pod = obj as unknown as Pod;
  if (!pod.spec) return;
  const spec = pod.spec;
  defaultPodSpec(spec);
  for (const c of spec.containers ?? []) requestsFromLimits(c);
  for (const c of spec.initContainers ?? []) requestsFromLimits(c);
  if (unset(spec.enableServiceLinks)) spec.enableServiceLinks = true;
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

/** The QoS class upstream records in status.qosClass when a pod is created. */
export function podQOSClass(spec: PodSpec | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  const supported = ['cpu', 'memory'];
  let anySet = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of supported) {
      const rq = req[r] !== undefined && !isZeroQuantity(String(req[r]));
      const lm = lim[r] !== undefined && !isZeroQuantity(String(lim[r]));
      if (rq || lm) anySet = true;
      if (!lm || (rq && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function isZeroQuantity(q: string): boolean {
  return /^[+-]?0*(\.0*)?([a-zA-Z]{0,2}|e[+-]?\d+)?$/.test(q);
}
