// apps/v1 Deployment and ReplicaSet validation (upstream pkg/apis/apps/validation) plus the metav1.LabelSelector
// rules they use: selector required and non-empty, template labels must match it, template restartPolicy Always,
// rolling-update parameters, and in apps/v1 an immutable spec.selector.
import type { Deployment, DeploymentStrategy, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { fieldErrors, type FieldError } from '../errors.ts';
import { labelSelectorFromObject } from '../labels.ts';
import type { KubeObject } from '../object.ts';
import type { Validator } from '../strategy.ts';
import { isQualifiedName, isValidPercent, nameIsDNSSubdomain } from './names.ts';
import { validateAnnotations, validateImmutable, validateLabels, validateNonnegative, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.ts';
import { validatePodSpec } from './podspec.ts';

/** metav1validation.ValidateLabelSelector. */
export function validateLabelSelector(sel: LabelSelector | undefined | null, path: string): FieldError[] {
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(fieldErrors.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(fieldErrors.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(fieldErrors.invalid(`${p}.operator`, e.operator, 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(e.key ?? '')) errs.push(fieldErrors.invalid(`${p}.key`, e.key, m));
  });
  return errs;
}

/** ValidatePodTemplateSpecForReplicaSet: labels must match the selector; pods of a set always restart. */
export function validateTemplateForSet(template: PodTemplateSpec | undefined, selector: LabelSelector | undefined, path: string): FieldError[] {
  if (!template) return [fieldErrors.required(path)];
  const errs: FieldError[] = [];
  if (selector && (Object.keys(selector.matchLabels ?? {}).length || selector.matchExpressions?.length)) {
    try {
      if (!labelSelectorFromObject(selector).matches(template.metadata?.labels)) {
        errs.push(fieldErrors.invalid(`${path}.metadata.labels`, template.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
      }
    } catch {
      // an unusable selector has already been reported by validateLabelSelector
    }
  }
  errs.push(...validateLabels(template.metadata?.labels, `${path}.metadata.labels`));
  errs.push(...validateAnnotations(template.metadata?.annotations, `${path}.metadata.annotations`));
  errs.push(...validatePodSpec(template.spec, `${path}.spec`));
  const rp = template.spec?.restartPolicy;
  if (rp && rp !== 'Always') errs.push(fieldErrors.notSupported(`${path}.spec.restartPolicy`, rp, ['Always']));
  if (template.spec?.activeDeadlineSeconds != null) {
    errs.push(fieldErrors.forbidden(`${path}.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
}

function validateSetSelector(selector: LabelSelector | undefined | null, path: string): FieldError[] {
  if (!selector) return [fieldErrors.required(path)];
  const errs = validateLabelSelector(selector, path);
  if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions?.length ?? 0) === 0) {
    errs.push(fieldErrors.invalid(path, selector, 'empty selector is invalid for deployment'));
  }
  return errs;
}

type IntOrString = number | string | undefined | null;

function percentOrInt(v: IntOrString, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return isValidPercent(v).map((m) => fieldErrors.invalid(path, v, m));
  return validateNonnegative(v, path);
}

/** The int value or the percent number, as upstream's getIntOrPercentValue. */
function intOrPercentValue(v: IntOrString): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return Number(v.slice(0, -1));
  return 0;
}

function validateStrategy(s: DeploymentStrategy | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = s?.type ?? '';
  if (type === 'Recreate') {
    if (s?.rollingUpdate) errs.push(fieldErrors.forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    const ru = s?.rollingUpdate;
    if (!ru) {
      errs.push(fieldErrors.required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil'));
    } else {
      errs.push(...percentOrInt(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`));
      errs.push(...percentOrInt(ru.maxSurge, `${path}.rollingUpdate.maxSurge`));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(fieldErrors.invalid(`${path}.rollingUpdate.maxUnavailable`, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
      }
      if (typeof ru.maxUnavailable === 'string' && intOrPercentValue(ru.maxUnavailable) > 100) {
        errs.push(fieldErrors.invalid(`${path}.rollingUpdate.maxUnavailable`, ru.maxUnavailable, 'must not be greater than 100%'));
      }
    }
  } else {
    errs.push(fieldErrors.notSupported(`${path}.type`, type, ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

function validateDeployment(obj: KubeObject): FieldError[] {
  const d = obj as unknown as Deployment;
  const spec = d.spec ?? ({} as NonNullable<Deployment['spec']>);
  const errs = validateObjectMeta(d.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateSetSelector(spec.selector, 'spec.selector'));
  errs.push(...validateTemplateForSet(spec.template, spec.selector, 'spec.template'));
  errs.push(...validateStrategy(spec.strategy, 'spec.strategy'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (spec.progressDeadlineSeconds != null) {
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(fieldErrors.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

function validateReplicaSet(obj: KubeObject): FieldError[] {
  const rs = obj as unknown as ReplicaSet;
  const spec = rs.spec ?? ({} as NonNullable<ReplicaSet['spec']>);
  const errs = validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateSetSelector(spec.selector, 'spec.selector'));
  errs.push(...validateTemplateForSet(spec.template, spec.selector, 'spec.template'));
  return errs;
}

/** Update = the full spec checks + metadata update rules + apps/v1's immutable selector. */
function withoutCreateMeta(errs: FieldError[]): FieldError[] {
  return errs.filter((e) => !e.field.startsWith('metadata.'));
}

function setStatusErrors(obj: KubeObject): FieldError[] {
  const status = (obj as { status?: Record<string, unknown> }).status ?? {};
  const errs: FieldError[] = [];
  for (const f of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'fullyLabeledReplicas', 'unavailableReplicas', 'observedGeneration']) {
    const v = status[f];
    if (typeof v === 'number') errs.push(...validateNonnegative(v, `status.${f}`));
  }
  return errs;
}

export const deploymentValidator: Validator = {
  create: validateDeployment,
  update: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...withoutCreateMeta(validateDeployment(obj)),
    ...validateImmutable((obj as unknown as Deployment).spec?.selector, (old as unknown as Deployment).spec?.selector, 'spec.selector'),
  ],
  updateStatus: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...setStatusErrors(obj)],
};

export const replicaSetValidator: Validator = {
  create: validateReplicaSet,
  update: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...withoutCreateMeta(validateReplicaSet(obj)),
    ...validateImmutable((obj as unknown as ReplicaSet).spec?.selector, (old as unknown as ReplicaSet).spec?.selector, 'spec.selector'),
  ],
  updateStatus: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...setStatusErrors(obj)],
};
