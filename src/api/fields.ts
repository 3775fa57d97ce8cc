// Field selectors as upstream serves them: the per-kind selectable fields (the registries' GetAttrs /
// ToSelectableFields), the `fieldSelector` grammar of apimachinery/pkg/fields (`a=b`, `a==b`, `a!=b`, comma = AND,
// backslash escapes `\,` `\=` `\\`), and each kind's 400 for an unsupported field label.
import { ApiError } from './errors.ts';
import type { KubeObject } from './object.ts';
import { resources } from './resources.ts';

type Extract = (o: KubeObject) => string;

function at(o: unknown, path: string): unknown {
  let cur = o;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** A string field; absent reads as "" like upstream's zero value. */
const str = (path: string): Extract => (o) => {
  const v = at(o, path);
  return v === undefined || v === null ? '' : String(v);
};
const bool = (path: string): Extract => (o) => String(at(o, path) === true);
const int = (path: string): Extract => (o) => String(typeof at(o, path) === 'number' ? at(o, path) : 0);

function podIPs(o: KubeObject): string {
  const ips = at(o, 'status.podIPs');
  return Array.isArray(ips) ? ips.map((x) => String((x as { ip?: string }).ip ?? '')).join(',') : '';
}

interface KindFields {
  fields: Record<string, Extract>;
  /** Upstream kinds with their own conversion func say "field label not supported: x"; the rest use the default. */
  customMessage: boolean;
}

const byKind: Record<string, KindFields> = {
  'v1/Pod': {
    customMessage: true,
    fields: {
      'spec.nodeName': str('spec.nodeName'),
      'spec.restartPolicy': str('spec.restartPolicy'),
      'spec.schedulerName': str('spec.schedulerName'),
      'spec.serviceAccountName': str('spec.serviceAccountName'),
      'spec.hostNetwork': bool('spec.hostNetwork'),
      'status.phase': str('status.phase'),
      // upstream selects on the first IP (the primary family).
      'status.podIP': (o) => str('status.podIP')(o) || (podIPs(o).split(',')[0] ?? ''),
      'status.podIPs': podIPs,
      'status.nominatedNodeName': str('status.nominatedNodeName'),
    },
  },
  'v1/Node': { customMessage: true, fields: { 'spec.unschedulable': bool('spec.unschedulable') } },
  'v1/Namespace': { customMessage: true, fields: { 'status.phase': str('status.phase') } },
  'v1/Secret': { customMessage: true, fields: { type: str('type') } },
  'v1/Service': { customMessage: true, fields: { 'spec.clusterIP': str('spec.clusterIP'), 'spec.type': str('spec.type') } },
  'v1/Event': {
    customMessage: true,
    fields: {
      'involvedObject.kind': str('involvedObject.kind'),
      'involvedObject.namespace': str('involvedObject.namespace'),
      'involvedObject.name': str('involvedObject.name'),
      'involvedObject.uid': str('involvedObject.uid'),
      'involvedObject.apiVersion': str('involvedObject.apiVersion'),
      'involvedObject.resourceVersion': str('involvedObject.resourceVersion'),
      'involvedObject.fieldPath': str('involvedObject.fieldPath'),
      reason: str('reason'),
      reportingComponent: str('reportingComponent'),
      source: str('source.component'),
      type: str('type'),
    },
  },
  'events.k8s.io/v1/Event': {
    customMessage: true,
    fields: {
      'regarding.kind': str('regarding.kind'),
      'regarding.namespace': str('regarding.namespace'),
      'regarding.name': str('regarding.name'),
      'regarding.uid': str('regarding.uid'),
      'regarding.apiVersion': str('regarding.apiVersion'),
      'regarding.resourceVersion': str('regarding.resourceVersion'),
      'regarding.fieldPath': str('regarding.fieldPath'),
      reason: str('reason'),
      reportingController: str('reportingController'),
      type: str('type'),
    },
  },
  'apps/v1/ReplicaSet': { customMessage: true, fields: { 'status.replicas': int('status.replicas') } },
  'discovery.k8s.io/v1/EndpointSlice': { customMessage: true, fields: { addressType: str('addressType') } },
};

function resourceOf(kindKey: string) {
  return resources.find((r) => (r.group ? `${r.group}/${r.version}/${r.kind}` : `${r.version}/${r.kind}`) === kindKey);
}

function isNamespaced(kindKey: string): boolean {
  return resourceOf(kindKey)?.namespaced ?? true;
}

/** The field labels a kind can be selected on (metadata.name, metadata.namespace if namespaced, then the kind's). */
export function supportedFieldLabels(kindKey: string): string[] {
  const own = new Set(Object.keys(byKind[kindKey]?.fields ?? {}));
  for (const f of resourceOf(kindKey)?.fieldSelectors ?? []) own.add(f);
  return ['metadata.name', ...(isNamespaced(kindKey) ? ['metadata.namespace'] : []), ...own];
}

/** The selectable field values of one object. */
export function fieldLabelsOf(kindKey: string, obj: KubeObject): Record<string, string> {
  const out: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (isNamespaced(kindKey)) out['metadata.namespace'] = obj.metadata?.namespace ?? '';
  for (const [k, f] of Object.entries(byKind[kindKey]?.fields ?? {})) out[k] = f(obj);
  for (const k of resourceOf(kindKey)?.fieldSelectors ?? []) if (!(k in out)) out[k] = str(k)(obj);
  return out;
}

// ---- grammar -----------------------------------------------------------------------------------------------

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  matches(fields: Record<string, string>): boolean;
  toString(): string;
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw ApiError.badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      throw ApiError.badRequest(`invalid field selector: unescaped character in value: ${c}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw ApiError.badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped by a backslash. */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    if (inSlash) inSlash = false;
    else if (s[i] === '\\') inSlash = true;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function splitTerm(term: string): [string, '=' | '!=', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    const rest = term.slice(i);
    if (rest.startsWith('!=')) return [term.slice(0, i), '!=', term.slice(i + 2)];
    if (rest.startsWith('==')) return [term.slice(0, i), '=', term.slice(i + 2)];
    if (rest.startsWith('=')) return [term.slice(0, i), '=', term.slice(i + 1)];
  }
  return undefined;
}

function notSupported(kindKey: string, label: string): ApiError {
  if (byKind[kindKey]?.customMessage) return ApiError.badRequest(`field label not supported: ${label}`);
  return ApiError.badRequest(`"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
}

/**
 * Parses a `fieldSelector` parameter. With kindKey, also rejects labels the kind cannot select on (upstream's
 * field label conversion, a 400). Throws ApiError 400 on bad syntax.
 */
export function parseFieldSelector(s: string, kindKey?: string): FieldSelector {
  const reqs: FieldRequirement[] = [];
  for (const part of splitTerms(s).sort()) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw ApiError.badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    reqs.push({ field: t[0], op: t[1], value: unescapeValue(t[2]) });
  }
  if (kindKey !== undefined) {
    const ok = new Set(supportedFieldLabels(kindKey));
    // Upstream's Node/Namespace conversions accept metadata.namespace only where listed; cluster-scoped kinds
    // without a custom conversion still take it (the default conversion allows both).
    if (!byKind[kindKey]?.customMessage) ok.add('metadata.namespace');
    if (kindKey === 'v1/Pod') ok.add('spec.host');
    for (const r of reqs) if (!ok.has(r.field)) throw notSupported(kindKey, r.field);
    for (const r of reqs) if (kindKey === 'v1/Pod' && r.field === 'spec.host') r.field = 'spec.nodeName';
  }
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    matches: (fields) => reqs.every((r) => ((fields[r.field] ?? '') === r.value) === (r.op === '=')),
    toString: () => reqs.map((r) => `${r.field}${r.op}${escapeValue(r.value)}`).join(','),
  };
}

/** Whether an object's selectable fields (from fieldLabelsOf) satisfy the selector. */
export function matchesFieldSelector(selector: FieldSelector, fields: Record<string, string>): boolean {
  return selector.empty || selector.matches(fields);
}

/** Convenience: parse (checking the kind's labels) if needed, then match one object. */
export function objectMatchesFieldSelector(selector: FieldSelector | string, kindKey: string, obj: KubeObject): boolean {
  const sel = typeof selector === 'string' ? parseFieldSelector(selector, kindKey) : selector;
  return matchesFieldSelector(sel, fieldLabelsOf(kindKey, obj));
}
