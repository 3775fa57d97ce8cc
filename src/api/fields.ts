// Field selectors as upstream serves them: the per-kind selectable fields (each resource definition's
// fieldSelectors, upstream's GetAttrs / ToSelectableFields), the `fieldSelector` grammar of
// apimachinery/pkg/fields (`a=b`, `a==b`, `a!=b`, comma = AND, backslash escapes `\,` `\=` `\\`), and each
// kind's 400 for an unsupported field label.
import { ApiError } from './errors.ts';
import type { KubeObject } from './object.ts';
import { definitionFor } from './resources.ts';

type Extract = (o: KubeObject) => string;

/** The kind's own selectable fields, from its resource definition. */
function ownFields(kindKey: string): Record<string, Extract> {
  return definitionFor(kindKey)?.fieldSelectors ?? {};
}

/** Upstream kinds with their own field label conversion say "field label not supported: x"; the rest use the default. */
function customMessage(kindKey: string): boolean {
  return Object.keys(ownFields(kindKey)).length > 0;
}

function isNamespaced(kindKey: string): boolean {
  return definitionFor(kindKey)?.info.namespaced ?? true;
}

/** The field labels a kind can be selected on (metadata.name, metadata.namespace if namespaced, then the kind's). */
export function supportedFieldLabels(kindKey: string): string[] {
  return ['metadata.name', ...(isNamespaced(kindKey) ? ['metadata.namespace'] : []), ...Object.keys(ownFields(kindKey))];
}

/** The selectable field values of one object. */
export function fieldLabelsOf(kindKey: string, obj: KubeObject): Record<string, string> {
  const out: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (isNamespaced(kindKey)) out['metadata.namespace'] = obj.metadata?.namespace ?? '';
  for (const [k, f] of Object.entries(ownFields(kindKey))) out[k] = f(obj);
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
  if (customMessage(kindKey)) return ApiError.badRequest(`field label not supported: ${label}`);
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
    if (!customMessage(kindKey)) ok.add('metadata.namespace');
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
