// Validation for the non-core groups other than apps: coordination.k8s.io Lease, discovery.k8s.io EndpointSlice
// and events.k8s.io Event (upstream pkg/apis/{coordination,discovery,core}/validation).
import { isIPv4, isIPv6 } from 'node:net';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { fieldErrors, type FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import type { Validator } from '../strategy.ts';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortNum, nameIsDNSSubdomain } from './names.ts';
import { validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.ts';
import { validateEventReporting } from './core.ts';

const tooMany = (field: string, max: number): FieldError => ({ type: 'FieldValueTooMany', field, detail: `must have at most ${max} items` });

// ---- Lease -----------------------------------------------------------------------------------------------------

function validateLease(obj: KubeObject): FieldError[] {
  const lease = obj as unknown as Lease;
  const errs = validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain);
  const spec = lease.spec ?? {};
  if (spec.leaseDurationSeconds != null && spec.leaseDurationSeconds <= 0) {
    errs.push(fieldErrors.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions != null && spec.leaseTransitions < 0) {
    errs.push(fieldErrors.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}

export const leaseValidator: Validator = {
  create: validateLease,
  update: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateLease(obj).filter((e) => !e.field.startsWith('metadata.'))],
};

// ---- EndpointSlice ---------------------------------------------------------------------------------------------

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];
const protocols = ['SCTP', 'TCP', 'UDP'];

function validateEndpointSlice(obj: KubeObject): FieldError[] {
  const es = obj as unknown as EndpointSlice;
  const errs = validateObjectMeta(es.metadata, true, nameIsDNSSubdomain);
  const type = es.addressType ?? '';
  if (!type) errs.push(fieldErrors.required('addressType'));
  else if (!addressTypes.includes(type)) errs.push(fieldErrors.notSupported('addressType', type, addressTypes));
  const endpoints = es.endpoints ?? [];
  if (endpoints.length > 1000) errs.push(tooMany('endpoints', 1000));
  endpoints.forEach((ep, i) => {
    const p = `endpoints[${i}]`;
    const addrs = ep.addresses ?? [];
    if (addrs.length === 0) errs.push(fieldErrors.required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(tooMany(`${p}.addresses`, 100));
    addrs.forEach((a, j) => {
      const ap = `${p}.addresses[${j}]`;
      if (type === 'IPv4' && !isIPv4(a)) errs.push(fieldErrors.invalid(ap, a, 'must be a valid IPv4 address'));
      if (type === 'IPv6' && !isIPv6(a)) errs.push(fieldErrors.invalid(ap, a, 'must be a valid IPv6 address'));
      if (type === 'FQDN') for (const m of isDNS1123Subdomain(a)) errs.push(fieldErrors.invalid(ap, a, m));
    });
    if (ep.hostname) for (const m of isDNS1123Label(ep.hostname)) errs.push(fieldErrors.invalid(`${p}.hostname`, ep.hostname, m));
    if (ep.nodeName) for (const m of isDNS1123Subdomain(ep.nodeName)) errs.push(fieldErrors.invalid(`${p}.nodeName`, ep.nodeName, m));
  });
  const ports = es.ports ?? [];
  if (ports.length > 100) errs.push(tooMany('ports', 100));
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `ports[${i}]`;
    const name = port.name ?? '';
    if (name) for (const m of isDNS1123Label(name)) errs.push(fieldErrors.invalid(`${p}.name`, name, m));
    if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
    names.add(name);
    if (!port.protocol) errs.push(fieldErrors.required(`${p}.protocol`));
    else if (!protocols.includes(port.protocol)) errs.push(fieldErrors.notSupported(`${p}.protocol`, port.protocol, protocols));
    if (port.port != null) for (const m of isValidPortNum(port.port)) errs.push(fieldErrors.invalid(`${p}.port`, port.port, m));
  });
  return errs;
}

export const endpointSliceValidator: Validator = {
  create: validateEndpointSlice,
  update: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...validateEndpointSlice(obj).filter((e) => !e.field.startsWith('metadata.')),
    ...validateImmutable((obj as { addressType?: string }).addressType, (old as { addressType?: string }).addressType, 'addressType'),
  ],
};

// ---- events.k8s.io/v1 Event ------------------------------------------------------------------------------------

interface NewEvent {
  metadata?: KubeObject['metadata'];
  eventTime?: string | null;
  type?: string;
  reason?: string;
  note?: string;
  action?: string;
  reportingController?: string;
  reportingInstance?: string;
  regarding?: { namespace?: string };
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  deprecatedCount?: number;
  deprecatedSource?: unknown;
  series?: { count?: number; lastObservedTime?: string } | null;
}

/** events.k8s.io requests get the full rules (upstream's ValidateEventCreate for non-v1 versions). */
function validateNewEvent(obj: KubeObject): FieldError[] {
  const ev = obj as unknown as NewEvent;
  const errs = validateObjectMeta(ev.metadata, true, nameIsDNSSubdomain);
  const ns = ev.metadata?.namespace ?? '';
  if (!ev.regarding?.namespace && ns !== 'default' && ns !== 'kube-system') {
    errs.push(fieldErrors.invalid('regarding.namespace', ev.regarding?.namespace ?? '', 'does not match event.namespace'));
  }
  if (!ev.eventTime) errs.push(fieldErrors.required('eventTime'));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(fieldErrors.invalid('type', '', `has invalid value: ${ev.type ?? ''}`));
  if (ev.deprecatedFirstTimestamp) errs.push(fieldErrors.invalid('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (ev.deprecatedLastTimestamp) errs.push(fieldErrors.invalid('deprecatedLastTimestamp', '', 'needs to be unset'));
  if (ev.deprecatedCount) errs.push(fieldErrors.invalid('deprecatedCount', '', 'needs to be unset'));
  if (ev.series) {
    if ((ev.series.count ?? 0) < 2) errs.push(fieldErrors.invalid('series.count', '', 'should be at least 2'));
    if (!ev.series.lastObservedTime) errs.push(fieldErrors.required('series.lastObservedTime'));
  }
  errs.push(...validateEventReporting({
    reporter: ['reportingController', ev.reportingController],
    reportingInstance: ev.reportingInstance,
    action: ev.action,
    reason: ev.reason,
    message: ['note', ev.note],
  }));
  return errs;
}

/** On update everything but series and the timestamps the series advances is frozen. */
function newEventImmutables(obj: KubeObject, old: KubeObject): FieldError[] {
  const n = obj as Record<string, unknown>;
  const o = old as Record<string, unknown>;
  return ['regarding', 'related', 'reason', 'action', 'note', 'type', 'reportingController', 'reportingInstance', 'eventTime']
    .flatMap((f) => validateImmutable(n[f], o[f], f));
}

export const newEventValidator: Validator = {
  create: validateNewEvent,
  update: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...validateNewEvent(obj).filter((e) => !e.field.startsWith('metadata.')),
    ...newEventImmutables(obj, old),
  ],
};
