// Validation for the smaller core/v1 kinds (upstream pkg/apis/core/validation): Namespace, Node, ConfigMap,
// Secret, ServiceAccount, Endpoints and the legacy Event, each with upstream's paths and messages.
import { isIP } from 'node:net';
import type { ConfigMap, Endpoints, Event, Namespace, Node, Secret } from 'kubernetes-types/core/v1.js';
import { fieldErrors, type FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import type { Validator } from '../strategy.ts';
import { semanticEqual } from '../equality.ts';
import {
  isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum, nameIsDNSLabel,
  nameIsDNSSubdomain, nameIsPathSegment,
} from './names.ts';
import { validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.ts';

export const maxSecretSize = 1024 * 1024;
const protocols = ['SCTP', 'TCP', 'UDP'];
const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** A validator whose update re-runs the content checks (minus create-only metadata ones) plus metadata rules. */
function simple(create: (o: KubeObject) => FieldError[], extraUpdate?: (o: KubeObject, old: KubeObject) => FieldError[]): Validator {
  return {
    create,
    update: (obj, old) => [
      ...validateObjectMetaUpdate(obj.metadata, old.metadata),
      ...create(obj).filter((e) => !e.field.startsWith('metadata.')),
      ...(extraUpdate?.(obj, old) ?? []),
    ],
    updateStatus: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
  };
}

// ---- Namespace ------------------------------------------------------------------------------------------------

function namespaceFinalizers(ns: Namespace): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ns.spec?.finalizers ?? []) {
    const msgs = isQualifiedName(f);
    for (const m of msgs) errs.push(fieldErrors.invalid('spec.finalizers', f, m));
    if (!msgs.length && !f.includes('/') && !standardFinalizers.has(f)) {
      errs.push(fieldErrors.invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errs;
}

export const namespaceValidator: Validator = {
  ...simple((o) => [...validateObjectMeta(o.metadata, false, nameIsDNSLabel), ...namespaceFinalizers(o as unknown as Namespace)]),
  updateStatus: (obj, old) => {
    const ns = obj as unknown as Namespace;
    const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
    const phase = ns.status?.phase ?? '';
    if (!ns.metadata?.deletionTimestamp) {
      if (phase !== 'Active') errs.push(fieldErrors.invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty"));
    } else if (phase !== 'Terminating') {
      errs.push(fieldErrors.invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
    }
    return errs;
  },
};

// ---- Node ------------------------------------------------------------------------------------------------------

function isCIDR(s: string): boolean {
  const [ip, bits, extra] = s.split('/');
  if (extra !== undefined || bits === undefined || !/^\d+$/.test(bits)) return false;
  const v = isIP(ip);
  return v !== 0 && Number(bits) <= (v === 4 ? 32 : 128);
}

function validateNode(obj: KubeObject): FieldError[] {
  const node = obj as unknown as Node;
  const errs = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain);
  const cidrs = node.spec?.podCIDRs ?? [];
  cidrs.forEach((c, i) => { if (!isCIDR(c)) errs.push(fieldErrors.invalid(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR')); });
  if (cidrs.length > 2) errs.push(fieldErrors.invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
  const seen = new Set<string>();
  (node.spec?.taints ?? []).forEach((t, i) => {
    const p = `spec.taints[${i}]`;
    for (const m of isQualifiedName(t.key ?? '')) errs.push(fieldErrors.invalid(`${p}.key`, t.key, m));
    if (!t.effect) errs.push(fieldErrors.required(`${p}.effect`));
    else if (!taintEffects.includes(t.effect)) errs.push(fieldErrors.notSupported(`${p}.effect`, t.effect, taintEffects));
    const k = `${t.key}:${t.effect}`;
    if (seen.has(k)) errs.push(fieldErrors.duplicate(p, { key: t.key, effect: t.effect }));
    seen.add(k);
  });
  return errs;
}

export const nodeValidator: Validator = simple(validateNode, (obj, old) => {
  const n = obj as unknown as Node;
  const o = old as unknown as Node;
  const errs: FieldError[] = [];
  const oldCIDRs = o.spec?.podCIDRs ?? [];
  if (oldCIDRs.length && JSON.stringify(n.spec?.podCIDRs ?? []) !== JSON.stringify(oldCIDRs)) {
    errs.push(fieldErrors.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (o.spec?.providerID && n.spec?.providerID !== o.spec.providerID) {
    errs.push(fieldErrors.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
});

// ---- ConfigMap and Secret --------------------------------------------------------------------------------------

function dataKeys(data: Record<string, string> | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(data ?? {})) for (const m of isConfigMapKey(k)) errs.push(fieldErrors.invalid(`${path}[${k}]`, k, m));
  return errs;
}

const byteLen = (s: string): number => Buffer.byteLength(s);
/** Secret/binaryData values are base64 on the wire; upstream counts decoded bytes. */
const decodedLen = (s: string): number => Buffer.from(s, 'base64').length;

function validateConfigMap(obj: KubeObject): FieldError[] {
  const cm = obj as unknown as ConfigMap;
  const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain);
  errs.push(...dataKeys(cm.data, 'data'));
  errs.push(...dataKeys(cm.binaryData, 'binaryData'));
  let total = 0;
  for (const v of Object.values(cm.data ?? {})) total += byteLen(v);
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    total += decodedLen(v);
    if (cm.data && k in cm.data) errs.push(fieldErrors.invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
  }
  if (total > maxSecretSize) errs.push(fieldErrors.tooLong('', maxSecretSize));
  return errs;
}

/** `immutable: true` freezes data (and itself), for both ConfigMaps and Secrets. */
function immutableData(obj: KubeObject, old: KubeObject): FieldError[] {
  const o = old as { immutable?: boolean; data?: unknown; binaryData?: unknown };
  const n = obj as { immutable?: boolean; data?: unknown; binaryData?: unknown };
  if (!o.immutable) return [];
  const errs: FieldError[] = [];
  const msg = 'field is immutable when `immutable` is set';
  if (!n.immutable) errs.push(fieldErrors.forbidden('immutable', msg));
  if (!semanticEqual(n.data ?? {}, o.data ?? {})) errs.push(fieldErrors.forbidden('data', msg));
  if ('binaryData' in o || 'binaryData' in n) {
    if (!semanticEqual(n.binaryData ?? {}, o.binaryData ?? {})) errs.push(fieldErrors.forbidden('binaryData', msg));
  }
  return errs;
}

export const configMapValidator: Validator = simple(validateConfigMap, immutableData);

function validateSecret(obj: KubeObject): FieldError[] {
  const s = obj as unknown as Secret;
  const errs = validateObjectMeta(s.metadata, true, nameIsDNSSubdomain);
  const data = s.data ?? {};
  errs.push(...dataKeys(data, 'data'));
  let total = 0;
  for (const v of Object.values(data)) total += decodedLen(v);
  if (total > maxSecretSize) errs.push(fieldErrors.tooLong('data', maxSecretSize));
  const need = (key: string): void => { if (!(key in data)) errs.push(fieldErrors.required(`data[${key}]`)); };
  switch (s.type) {
    case 'kubernetes.io/service-account-token':
      if (!s.metadata?.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(fieldErrors.required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg': need('.dockercfg'); break;
    case 'kubernetes.io/dockerconfigjson': need('.dockerconfigjson'); break;
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) {
        errs.push(fieldErrors.required('data[username]', 'must specify at least one of username or password'));
      }
      break;
    case 'kubernetes.io/ssh-auth': need('ssh-privatekey'); break;
    case 'kubernetes.io/tls': need('tls.key'); need('tls.crt'); break;
  }
  return errs;
}

export const secretValidator: Validator = simple(validateSecret, (obj, old) => [
  ...validateImmutable((obj as { type?: string }).type, (old as { type?: string }).type, 'type'),
  ...immutableData(obj, old),
]);

// ---- ServiceAccount --------------------------------------------------------------------------------------------

export const serviceAccountValidator: Validator = simple((o) => validateObjectMeta(o.metadata, true, nameIsDNSSubdomain));

// ---- Endpoints -------------------------------------------------------------------------------------------------

function validateEndpoints(obj: KubeObject): FieldError[] {
  const ep = obj as unknown as Endpoints;
  const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain);
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) {
      errs.push(fieldErrors.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const [list, name] of [[ss.addresses ?? [], 'addresses'], [ss.notReadyAddresses ?? [], 'notReadyAddresses']] as const) {
      list.forEach((a, j) => {
        const ap = `${p}.${name}[${j}]`;
        if (!isIP(a.ip ?? '')) errs.push(fieldErrors.invalid(`${ap}.ip`, a.ip ?? '', 'must be a valid IP address'));
        if (a.hostname) for (const m of isDNS1123Label(a.hostname)) errs.push(fieldErrors.invalid(`${ap}.hostname`, a.hostname, m));
        if (a.nodeName) for (const m of isDNS1123Subdomain(a.nodeName)) errs.push(fieldErrors.invalid(`${ap}.nodeName`, a.nodeName, m));
      });
    }
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      if (ports.length > 1 && !port.name) errs.push(fieldErrors.required(`${pp}.name`));
      else if (port.name) for (const m of isDNS1123Label(port.name)) errs.push(fieldErrors.invalid(`${pp}.name`, port.name, m));
      for (const m of isValidPortNum(port.port)) errs.push(fieldErrors.invalid(`${pp}.port`, port.port, m));
      if (!port.protocol) errs.push(fieldErrors.required(`${pp}.protocol`));
      else if (!protocols.includes(port.protocol)) errs.push(fieldErrors.notSupported(`${pp}.protocol`, port.protocol, protocols));
    });
  });
  return errs;
}

export const endpointsValidator: Validator = simple(validateEndpoints);

// ---- Event (core/v1) -------------------------------------------------------------------------------------------

/** Upstream validates v1 Events only with the legacy rules (namespace agreement, DNS namespace). */
/**
 * The reporting fields both Event APIs require of new-style events (core/v1 names them reportingComponent and
 * message, events.k8s.io/v1 reportingController and note).
 */
export function validateEventReporting(ev: {
  reporter: [string, string | undefined];
  reportingInstance?: string;
  action?: string;
  reason?: string;
  message: [string, string | undefined];
}): FieldError[] {
  const errs: FieldError[] = [];
  const [reporterField, rc = ''] = ev.reporter;
  if (!rc) errs.push(fieldErrors.required(reporterField));
  else for (const m of isQualifiedName(rc)) errs.push(fieldErrors.invalid(reporterField, rc, m));
  const bounded = (field: string, value: string | undefined, max: number, required: boolean): void => {
    if (required && !value) errs.push(fieldErrors.required(field));
    if ((value ?? '').length > max) errs.push(fieldErrors.invalid(field, '', `can have at most ${max} characters`));
  };
  bounded('reportingInstance', ev.reportingInstance, 128, true);
  bounded('action', ev.action, 128, true);
  bounded('reason', ev.reason, 128, true);
  bounded(ev.message[0], ev.message[1], 1024, false);
  return errs;
}

function validateCoreEvent(obj: KubeObject): FieldError[] {
  const ev = obj as unknown as Event;
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  if (!ev.metadata?.name) errs.push(fieldErrors.required('metadata.name', 'name or generateName is required'));
  else for (const m of nameIsPathSegment(ev.metadata.name, false)) errs.push(fieldErrors.invalid('metadata.name', ev.metadata.name, m));
  if (!ev.eventTime) {
    if (involvedNs === '' ? ns !== '' && ns !== 'default' : ns !== involvedNs) {
      errs.push(fieldErrors.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (involvedNs === '' && ns !== 'default' && ns !== 'kube-system') {
      errs.push(fieldErrors.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
    errs.push(...validateEventReporting({
      reporter: ['reportingComponent', ev.reportingComponent],
      reportingInstance: ev.reportingInstance,
      action: ev.action,
      reason: ev.reason,
      message: ['message', ev.message],
    }));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(fieldErrors.invalid('namespace', ns, m));
  return errs;
}

export const coreEventValidator: Validator = {
  create: validateCoreEvent,
  update: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateCoreEvent(obj)],
};

