// apps/v1 StatefulSet validation (upstream pkg/apis/apps/validation): a DNS-label name (it prefixes pod
// hostnames), a non-empty selector matching the template, known pod management and update strategies, claim
// templates valid as claims, the pod template valid with the claim templates as its volumes (mounts name them);
// on update only replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy and
// minReadySeconds may change. A revision's data never changes.
import type { StatefulSet, StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { fieldErrors, type FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import type { Validator } from '../strategy.ts';
import { validateLabelSelector, validateTemplateForSet } from './apps.ts';
import { nameIsDNSLabel } from './names.ts';
import { jsonEqual, validateNonnegative, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.ts';
import { validateClaimSpec } from './storage.ts';

const policies = ['OrderedReady', 'Parallel'];
const strategies = ['RollingUpdate', 'OnDelete'];
const retention = ['Retain', 'Delete'];

function validateUpdateStrategy(spec: StatefulSetSpec): FieldError[] {
  const s = spec.updateStrategy ?? {};
  const errs: FieldError[] = [];
  if (!s.type) errs.push(fieldErrors.required('spec.updateStrategy', ''));
  else if (!strategies.includes(s.type)) errs.push(fieldErrors.notSupported('spec.updateStrategy.type', s.type, strategies));
  if (s.type === 'OnDelete' && s.rollingUpdate) {
    errs.push(fieldErrors.invalid('spec.updateStrategy.rollingUpdate', s.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  }
  errs.push(...validateNonnegative(s.rollingUpdate?.partition, 'spec.updateStrategy.rollingUpdate.partition'));
  return errs;
}

/** The template as its pods get it: each claim template is a persistentVolumeClaim volume of the same name (in
 *  place of a template volume so named), so volumeMounts may name claim templates. */
function withClaimVolumes(spec: StatefulSetSpec): PodTemplateSpec | undefined {
  const t = spec.template;
  const claims = (spec.volumeClaimTemplates ?? []).map((c) => c.metadata?.name).filter((n): n is string => Boolean(n));
  if (!t?.spec || !claims.length) return t;
  const volumes = (t.spec.volumes ?? []).filter((v) => !claims.includes(v.name));
  return { ...t, spec: { ...t.spec, volumes: [...volumes, ...claims.map((name) => ({ name, persistentVolumeClaim: { claimName: name } }))] } };
}

function validateSpec(spec: StatefulSetSpec): FieldError[] {
  const errs: FieldError[] = [];
  const policy = spec.podManagementPolicy;
  if (!policy) errs.push(fieldErrors.required('spec.podManagementPolicy', ''));
  else if (!policies.includes(policy)) errs.push(fieldErrors.invalid('spec.podManagementPolicy', policy, `must be 'OrderedReady' or 'Parallel'`));
  errs.push(...validateUpdateStrategy(spec));
  for (const [k, v] of Object.entries(spec.persistentVolumeClaimRetentionPolicy ?? {})) {
    if (typeof v === 'string' && !retention.includes(v)) errs.push(fieldErrors.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, v, retention));
  }
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.ordinals?.start, 'spec.ordinals.start'));
  const sel = spec.selector;
  if (!sel) errs.push(fieldErrors.required('spec.selector', ''));
  else {
    errs.push(...validateLabelSelector(sel, 'spec.selector'));
    if (Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions?.length ?? 0) === 0) {
      errs.push(fieldErrors.invalid('spec.selector', sel, 'empty selector is invalid for statefulset'));
    }
  }
  errs.push(...validateTemplateForSet(withClaimVolumes(spec), sel, 'spec.template'));
  (spec.volumeClaimTemplates ?? []).forEach((t, i) => {
    const p = `spec.volumeClaimTemplates[${i}]`;
    if (!t.metadata?.name) errs.push(fieldErrors.required(`${p}.metadata.name`, 'name or generateName is required'));
    errs.push(...validateClaimSpec(t.spec, `${p}.spec`));
  });
  return errs;
}

function validateStatefulSet(obj: KubeObject): FieldError[] {
  const sts = obj as unknown as StatefulSet;
  return [...validateObjectMeta(sts.metadata, true, nameIsDNSLabel), ...validateSpec(sts.spec ?? ({} as StatefulSetSpec))];
}

/** The spec without the fields an update may change. */
function fixedSpec(spec: StatefulSetSpec | undefined): unknown {
  const { replicas: _r, ordinals: _o, template: _t, updateStrategy: _u, persistentVolumeClaimRetentionPolicy: _p, minReadySeconds: _m, ...rest } = spec ?? ({} as StatefulSetSpec);
  return rest;
}

function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = (obj as unknown as StatefulSet).spec;
  const errs = [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateSpec(spec ?? ({} as StatefulSetSpec))];
  if (!jsonEqual(fixedSpec(spec), fixedSpec((old as unknown as StatefulSet).spec))) {
    errs.push(fieldErrors.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}

function statusErrors(obj: KubeObject, old: KubeObject): FieldError[] {
  const status = (obj as { status?: Record<string, unknown> }).status ?? {};
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
  for (const f of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount']) {
    const v = status[f];
    if (typeof v === 'number') errs.push(...validateNonnegative(v, `status.${f}`));
  }
  return errs;
}

export const statefulSetValidator: Validator = { create: validateStatefulSet, update: validateStatefulSetUpdate, updateStatus: statusErrors };
