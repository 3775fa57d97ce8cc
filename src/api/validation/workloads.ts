// ReplicationController (core/v1), DaemonSet and ControllerRevision (apps/v1) validation, as upstream's
// ValidateReplicationController, ValidateDaemonSet and ValidateControllerRevision: an RC's equality selector
// must be non-empty and contained in its template's labels; a DaemonSet's selector must match its template, its
// update strategy is RollingUpdate (maxUnavailable/maxSurge, not both 0) or OnDelete; a ControllerRevision's data
// never changes. Selectors are immutable in apps/v1 only (an RC's may change, as upstream).
import type { ControllerRevision, DaemonSet, DaemonSetUpdateStrategy } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec, ReplicationController } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { fieldErrors, type FieldError } from '../errors.ts';
import { labelSelectorFromObject } from '../labels.ts';
import type { KubeObject } from '../object.ts';
import type { Validator } from '../strategy.ts';
import { validateLabelSelector } from './apps.ts';
import { isValidPercent, nameIsDNSSubdomain } from './names.ts';
import { validateAnnotations, validateImmutable, validateLabels, validateNonnegative, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.ts';
import { validatePodSpec } from './podspec.ts';

/** The template checks every controller of long-running pods shares; `deadline` is the kind's own rule for it. */
function validateTemplate(template: PodTemplateSpec | undefined | null, path: string, deadline: (v: number) => FieldError): FieldError[] {
  if (!template) return [fieldErrors.required(path)];
  const errs = [
    ...validateLabels(template.metadata?.labels, `${path}.metadata.labels`),
    ...validateAnnotations(template.metadata?.annotations, `${path}.metadata.annotations`),
    ...validatePodSpec(template.spec, `${path}.spec`),
  ];
  const rp = template.spec?.restartPolicy;
  if (rp && rp !== 'Always') errs.push(fieldErrors.notSupported(`${path}.spec.restartPolicy`, rp, ['Always']));
  const ads = template.spec?.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) errs.push(deadline(ads));
  return errs;
}

function validateRC(obj: KubeObject): FieldError[] {
  const rc = obj as unknown as ReplicationController;
  const spec = rc.spec ?? {};
  const errs = validateObjectMeta(rc.metadata, true, nameIsDNSSubdomain);
  const selector = spec.selector ?? {};
  if (Object.keys(selector).length === 0) errs.push(fieldErrors.required('spec.selector'));
  else errs.push(...validateLabels(selector, 'spec.selector'));
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const template = spec.template;
  const labels = template?.metadata?.labels ?? {};
  if (template && Object.keys(selector).length && !Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    errs.push(fieldErrors.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validateTemplate(template, 'spec.template', () => fieldErrors.forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported')));
  return errs;
}

type IntOrString = number | string | undefined | null;

function intOrPercent(v: IntOrString, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return isValidPercent(v).map((m) => fieldErrors.invalid(path, v, m));
  return validateNonnegative(v, path);
}

const valueOf = (v: IntOrString): number => (typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]+%$/.test(v) ? Number(v.slice(0, -1)) : 0);

function validateUpdateStrategy(s: DaemonSetUpdateStrategy | undefined, path: string): FieldError[] {
  const type = s?.type ?? '';
  if (type === 'OnDelete') return [];
  if (type !== 'RollingUpdate') return [fieldErrors.notSupported(`${path}.type`, type, ['OnDelete', 'RollingUpdate'])];
  const ru = s?.rollingUpdate;
  if (!ru) return [fieldErrors.required(`${path}.rollingUpdate`)];
  const errs = [...intOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`), ...intOrPercent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`)];
  if (valueOf(ru.maxUnavailable) === 0 && valueOf(ru.maxSurge) === 0) {
    errs.push(fieldErrors.invalid(`${path}.rollingUpdate.maxUnavailable`, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  }
  for (const [name, v] of [['maxUnavailable', ru.maxUnavailable], ['maxSurge', ru.maxSurge]] as const) {
    if (typeof v === 'string' && valueOf(v) > 100) errs.push(fieldErrors.invalid(`${path}.rollingUpdate.${name}`, v, 'must not be greater than 100%'));
  }
  return errs;
}

function validateDaemonSetSelector(selector: LabelSelector | undefined | null, template: PodTemplateSpec | undefined): FieldError[] {
  if (!selector) return [fieldErrors.required('spec.selector')];
  const errs = validateLabelSelector(selector, 'spec.selector');
  if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions?.length ?? 0) === 0) {
    errs.push(fieldErrors.invalid('spec.selector', selector, 'empty selector is invalid for daemonset'));
    return errs;
  }
  try {
    if (template && !labelSelectorFromObject(selector).matches(template.metadata?.labels)) {
      errs.push(fieldErrors.invalid('spec.template.metadata.labels', template.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
    }
  } catch {
    // an unusable selector has been reported above
  }
  return errs;
}

function validateDS(obj: KubeObject): FieldError[] {
  const ds = obj as unknown as DaemonSet;
  const spec = ds.spec ?? ({} as NonNullable<DaemonSet['spec']>);
  const errs = validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateDaemonSetSelector(spec.selector, spec.template));
  errs.push(...validateTemplate(spec.template, 'spec.template', (v) => fieldErrors.invalid('spec.template.spec.activeDeadlineSeconds', v, 'activeDeadlineSeconds must be nil for DaemonSet')));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  errs.push(...validateUpdateStrategy(spec.updateStrategy, 'spec.updateStrategy'));
  return errs;
}

function validateCR(obj: KubeObject): FieldError[] {
  const cr = obj as unknown as ControllerRevision;
  const errs = validateObjectMeta(cr.metadata, true, nameIsDNSSubdomain);
  if (cr.data === undefined || cr.data === null) errs.push(fieldErrors.required('data'));
  errs.push(...validateNonnegative(cr.revision, 'revision'));
  return errs;
}

const withoutMeta = (errs: FieldError[]): FieldError[] => errs.filter((e) => !e.field.startsWith('metadata.'));

function statusCounters(obj: KubeObject, fields: string[]): FieldError[] {
  const status = (obj as { status?: Record<string, unknown> }).status ?? {};
  return fields.flatMap((f) => (typeof status[f] === 'number' ? validateNonnegative(status[f] as number, `status.${f}`) : []));
}

export const replicationControllerValidator: Validator = {
  create: validateRC,
  update: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...withoutMeta(validateRC(obj))],
  updateStatus: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...statusCounters(obj, ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']),
  ],
};

export const daemonSetValidator: Validator = {
  create: validateDS,
  update: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...withoutMeta(validateDS(obj)),
    ...validateImmutable((obj as unknown as DaemonSet).spec?.selector, (old as unknown as DaemonSet).spec?.selector, 'spec.selector'),
  ],
  updateStatus: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...statusCounters(obj, ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration',
      'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount']),
  ],
};

export const controllerRevisionValidator: Validator = {
  create: validateCR,
  update: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...withoutMeta(validateCR(obj)),
    ...validateImmutable((obj as unknown as ControllerRevision).data, (old as unknown as ControllerRevision).data, 'data'),
  ],
};
