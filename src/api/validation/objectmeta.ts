// ObjectMeta rules every kind shares (upstream apimachinery/pkg/api/validation/objectmeta.go): name or
// generateName, namespace presence, labels, annotations (256 KiB total), owner references, finalizers, and on
// update the fields that never change (name, namespace, uid, creationTimestamp, ...).
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { fieldErrors, type FieldError } from '../errors.ts';
import { isLabelValue, isQualifiedName, nameIsDNSLabel, type NameValidator } from './names.ts';

export const immutableMsg = 'field is immutable';
export const totalAnnotationSizeLimit = 256 * 1024;
const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** Deep equality for JSON values (what upstream's apiequality.Semantic.DeepEqual amounts to for us). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    // Absent and null are the same thing on the wire.
    return (a ?? undefined) === (b ?? undefined);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!jsonEqual(ao[k], bo[k])) return false;
  return true;
}

/** field.Invalid(path, new, "field is immutable") when new differs from old. */
export function validateImmutable(newVal: unknown, oldVal: unknown, path: string): FieldError[] {
  return jsonEqual(newVal, oldVal) ? [] : [fieldErrors.invalid(path, newVal ?? null, immutableMsg)];
}

export function validateNonnegative(v: number | undefined | null, path: string): FieldError[] {
  return typeof v === 'number' && v < 0 ? [fieldErrors.invalid(path, v, 'must be greater than or equal to 0')] : [];
}

export function validateLabels(labels: Record<string, string> | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(fieldErrors.invalid(path, k, m));
    for (const m of isLabelValue(String(v))) errs.push(fieldErrors.invalid(path, v, m));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fieldErrors.invalid(path, k, m));
    total += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (total > totalAnnotationSizeLimit) errs.push(fieldErrors.tooLong(path, totalAnnotationSizeLimit));
  return errs;
}

function validateOwnerReferences(meta: ObjectMeta, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  (meta.ownerReferences ?? []).forEach((ref, i) => {
    const p = `${path}[${i}]`;
    const apiVersion = ref.apiVersion ?? '';
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (!version) errs.push(fieldErrors.invalid(`${p}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(fieldErrors.invalid(`${p}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(fieldErrors.invalid(`${p}.name`, ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(fieldErrors.invalid(`${p}.uid`, ref.uid ?? '', 'uid must not be empty'));
    if (ref.controller) controllers.push(`${ref.kind}/${ref.name}`);
  });
  if (controllers.length > 1) {
    errs.push(fieldErrors.invalid(path, meta.ownerReferences, `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`));
  }
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const f of finalizers ?? []) {
    const msgs = isQualifiedName(f);
    for (const m of msgs) errs.push(fieldErrors.invalid(path, f, m));
    if (msgs.length === 0 && !f.includes('/') && !standardFinalizers.has(f)) {
      errs.push(fieldErrors.invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
    if (seen.has(f)) errs.push(fieldErrors.duplicate(path, f));
    seen.add(f);
  }
  return errs;
}

/** ValidateObjectMeta: what every create checks. `path` is "metadata" for top-level objects. */
export function validateObjectMeta(meta: ObjectMeta | undefined, namespaced: boolean, nameFn: NameValidator, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of nameFn(m.generateName, true)) errs.push(fieldErrors.invalid(`${path}.generateName`, m.generateName, msg));
  }
  if (!m.name) {
    errs.push(fieldErrors.required(`${path}.name`, 'name or generateName is required'));
  } else {
    for (const msg of nameFn(m.name, false)) errs.push(fieldErrors.invalid(`${path}.name`, m.name, msg));
  }
  if (namespaced) {
    if (!m.namespace) errs.push(fieldErrors.required(`${path}.namespace`));
    else for (const msg of nameFnNamespace(m.namespace)) errs.push(fieldErrors.invalid(`${path}.namespace`, m.namespace, msg));
  } else if (m.namespace) {
    errs.push(fieldErrors.forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  errs.push(...validateNonnegative(m.generation, `${path}.generation`));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  return errs;
}

// metadata.namespace is always a DNS-1123 label (upstream's ValidateNamespaceName).
const nameFnNamespace = (ns: string): string[] => nameIsDNSLabel(ns, false);

/** ValidateObjectMetaUpdate: the create-time content checks plus upstream's immutable metadata fields. */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, path = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const o = old ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const before = new Set(o.finalizers ?? []);
    const added = (m.finalizers ?? []).filter((f) => !before.has(f));
    if (added.length) errs.push(fieldErrors.forbidden(`${path}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`));
  }
  errs.push(...validateNonnegative(m.generation, `${path}.generation`));
  errs.push(...validateImmutable(m.name, o.name, `${path}.name`));
  errs.push(...validateImmutable(m.namespace, o.namespace, `${path}.namespace`));
  errs.push(...validateImmutable(m.uid, o.uid, `${path}.uid`));
  errs.push(...validateImmutable(m.creationTimestamp, o.creationTimestamp, `${path}.creationTimestamp`));
  if (o.deletionTimestamp) errs.push(...validateImmutable(m.deletionTimestamp, o.deletionTimestamp, `${path}.deletionTimestamp`));
  if (o.deletionGracePeriodSeconds != null && m.deletionGracePeriodSeconds != null) {
    errs.push(...validateImmutable(m.deletionGracePeriodSeconds, o.deletionGracePeriodSeconds, `${path}.deletionGracePeriodSeconds`));
  }
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(m, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  return errs;
}
