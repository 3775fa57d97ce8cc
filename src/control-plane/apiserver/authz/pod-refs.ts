// What a pod references by name in its own namespace (upstream's podutil.VisitPodSecretNames /
// VisitPodConfigmapNames and the graph populator's claim edges): the objects the Node authorizer lets the pod's node
// read, and that NodeRestriction forbids a mirror pod to name. Pure functions over the pod spec.
import type { Container, EphemeralContainer, Pod, Volume } from 'kubernetes-types/core/v1.js';

type AnyContainer = Container | EphemeralContainer;

function containers(pod: Pod): AnyContainer[] {
  const s = pod.spec;
  return [...(s?.initContainers ?? []), ...(s?.containers ?? []), ...(s?.ephemeralContainers ?? [])];
}

const volumes = (pod: Pod): Volume[] => pod.spec?.volumes ?? [];

function add(out: Set<string>, name: string | undefined): void {
  if (name) out.add(name);
}

export function secretNames(pod: Pod): Set<string> {
  const out = new Set<string>();
  for (const r of pod.spec?.imagePullSecrets ?? []) add(out, r.name);
  for (const c of containers(pod)) {
    for (const e of c.envFrom ?? []) add(out, e.secretRef?.name);
    for (const e of c.env ?? []) add(out, e.valueFrom?.secretKeyRef?.name);
  }
  for (const v of volumes(pod)) {
    add(out, v.secret?.secretName);
    for (const p of v.projected?.sources ?? []) add(out, p.secret?.name);
    add(out, v.azureFile?.secretName);
    add(out, v.cephfs?.secretRef?.name);
    add(out, v.cinder?.secretRef?.name);
    add(out, v.flexVolume?.secretRef?.name);
    add(out, v.iscsi?.secretRef?.name);
    add(out, v.rbd?.secretRef?.name);
    add(out, v.scaleIO?.secretRef?.name);
    add(out, v.storageos?.secretRef?.name);
    add(out, v.csi?.nodePublishSecretRef?.name);
  }
  return out;
}

export function configMapNames(pod: Pod): Set<string> {
  const out = new Set<string>();
  for (const c of containers(pod)) {
    for (const e of c.envFrom ?? []) add(out, e.configMapRef?.name);
    for (const e of c.env ?? []) add(out, e.valueFrom?.configMapKeyRef?.name);
  }
  for (const v of volumes(pod)) {
    add(out, v.configMap?.name);
    for (const p of v.projected?.sources ?? []) add(out, p.configMap?.name);
  }
  return out;
}

/** Claims: persistentVolumeClaim volumes, and an ephemeral volume's generated claim `<pod>-<volume>`. */
export function claimNames(pod: Pod): Set<string> {
  const out = new Set<string>();
  for (const v of volumes(pod)) {
    add(out, v.persistentVolumeClaim?.claimName);
    if (v.ephemeral) add(out, `${pod.metadata?.name ?? ''}-${v.name}`);
  }
  return out;
}

export const serviceAccountName = (pod: Pod): string => pod.spec?.serviceAccountName ?? '';
