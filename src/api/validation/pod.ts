// Pod validation: create = metadata + PodSpec; update = metadata update + upstream's rule that a running pod's spec
// may only change container images, activeDeadlineSeconds (lower/ set), added tolerations and a negative grace
// period becoming 1. Binding (pods/binding) is checked here too.
import type { Pod, PodSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { fieldErrors, type FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import type { Validator } from '../strategy.ts';
import { nameIsDNSSubdomain } from './names.ts';
import { jsonEqual, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.ts';
import { validatePodSpec } from './podspec.ts';

const updatableFields = '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,' +
  '`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

const asPod = (o: KubeObject): Pod => o as unknown as Pod;

function validatePodCreate(obj: KubeObject): FieldError[] {
  const pod = asPod(obj);
  return [...validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain), ...validatePodSpec(pod.spec, 'spec')];
}

function sameExceptSeconds(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') &&
    (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');
}

/** Upstream's validateOnlyAddedTolerations: every old toleration must still be there (its seconds may change). */
function validateOnlyAddedTolerations(next: Toleration[], prev: Toleration[], path: string): FieldError[] {
  for (const old of prev) {
    if (!next.some((t) => sameExceptSeconds(t, old))) {
      return [fieldErrors.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
    }
  }
  return [];
}

/** A readable rendering of what changed, standing in for upstream's cmp.Diff of the two specs. */
function specDiff(oldSpec: unknown, newSpec: unknown, path = 'spec'): string[] {
  if (jsonEqual(oldSpec, newSpec)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(oldSpec) && isObj(newSpec)) {
    const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].sort();
    return keys.flatMap((k) => specDiff(oldSpec[k], newSpec[k], `${path}.${k}`));
  }
  if (Array.isArray(oldSpec) && Array.isArray(newSpec) && oldSpec.length === newSpec.length) {
    return oldSpec.flatMap((v, i) => specDiff(v, newSpec[i], `${path}[${i}]`));
  }
  return [`- ${path}: ${JSON.stringify(oldSpec ?? null)}`, `+ ${path}: ${JSON.stringify(newSpec ?? null)}`];
}

function validatePodUpdate(obj: KubeObject, oldObj: KubeObject): FieldError[] {
  const pod = asPod(obj);
  const old = asPod(oldObj);
  const errs = [...validateObjectMetaUpdate(pod.metadata, old.metadata), ...validatePodSpec(pod.spec, 'spec')];
  const spec = pod.spec ?? ({ containers: [] } as PodSpec);
  const oldSpec = old.spec ?? ({ containers: [] } as PodSpec);
  if ((spec.containers?.length ?? 0) !== (oldSpec.containers?.length ?? 0)) {
    errs.push(fieldErrors.forbidden('spec.containers', 'pod updates may not add or remove containers'));
    return errs;
  }
  if ((spec.initContainers?.length ?? 0) !== (oldSpec.initContainers?.length ?? 0)) {
    errs.push(fieldErrors.forbidden('spec.initContainers', 'pod updates may not add or remove containers'));
    return errs;
  }
  const ads = spec.activeDeadlineSeconds;
  const oldAds = oldSpec.activeDeadlineSeconds;
  if (oldAds != null) {
    if (ads == null) errs.push(fieldErrors.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
    else if (ads > oldAds) errs.push(fieldErrors.invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value'));
  }
  errs.push(...validateOnlyAddedTolerations(spec.tolerations ?? [], oldSpec.tolerations ?? [], 'spec.tolerations'));

  // Everything else must be equal once the allowed changes are copied over from the new spec.
  const munged = structuredClone(spec) as PodSpec;
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: oldSpec.containers[i]?.image }));
  if (munged.initContainers) munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: oldSpec.initContainers?.[i]?.image }));
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.tolerations = oldSpec.tolerations;
  // Scheduling gates may only be removed (that is how a gated pod is released to the scheduler).
  const oldGates = new Set((oldSpec.schedulingGates ?? []).map((g) => g.name));
  const added = (spec.schedulingGates ?? []).filter((g) => !oldGates.has(g.name));
  for (const g of added) errs.push(fieldErrors.forbidden('spec.schedulingGates', `only deletion is allowed, but found new scheduling gate '${g.name}'`));
  munged.schedulingGates = oldSpec.schedulingGates;
  const oldGrace = oldSpec.terminationGracePeriodSeconds;
  if (oldGrace != null && oldGrace < 0 && spec.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  if (!jsonEqual(munged, oldSpec)) {
    const diff = specDiff(oldSpec, munged).map((l) => `  ${l}`).join('\n');
    errs.push(fieldErrors.forbidden('spec', `pod updates may not change fields other than ${updatableFields}\n${diff}`));
  }
  return errs;
}

export const podValidator: Validator = {
  create: validatePodCreate,
  update: validatePodUpdate,
  updateStatus: (obj, old) => {
    const pod = asPod(obj);
    const errs = validateObjectMetaUpdate(pod.metadata, asPod(old).metadata);
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      for (const m of nameIsDNSSubdomain(nominated, false)) errs.push(fieldErrors.invalid('status.nominatedNodeName', nominated, m));
    }
    return errs;
  },
};

/** pods/binding: upstream's ValidatePodBinding. */
export const bindingValidator: Validator = {
  create: (obj) => {
    const target = (obj as { target?: { kind?: string; name?: string } }).target ?? {};
    const errs: FieldError[] = [];
    if (target.kind && target.kind !== 'Node') errs.push(fieldErrors.notSupported('target.kind', target.kind, ['Node', '<empty>']));
    if (!target.name) errs.push(fieldErrors.required('target.name'));
    return errs;
  },
  update: () => [],
};
