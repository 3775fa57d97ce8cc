// Label selectors, client side: parse the string form ("app=web,tier in (a,b),!legacy") and the
// meta/v1 LabelSelector form (matchLabels + matchExpressions) into one predicate over a label map.
// Semantics follow k8s.io/apimachinery/pkg/labels: "!=" and "notin" match objects lacking the key.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';

export type Labels = Readonly<Record<string, string>>;
export type LabelMatcher = (labels: Labels | undefined) => boolean;

interface Requirement {
  key: string;
  op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

function matchRequirement(r: Requirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.op) {
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'In':
      return has && r.values.includes(labels[r.key]);
    case 'NotIn':
      return !has || !r.values.includes(labels[r.key]);
  }
}

function matcherOf(reqs: Requirement[]): LabelMatcher {
  return (labels) => reqs.every((r) => matchRequirement(r, labels ?? {}));
}

/** Splits on commas that are not inside a "( … )" value set. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t.length > 0);
}

function parseTerm(term: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (set) {
    const values = set[3].split(',').map((v) => v.trim()).filter((v) => v.length > 0);
    return { key: set[1], op: set[2] === 'in' ? 'In' : 'NotIn', values };
  }
  const cmp = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (cmp) return { key: cmp[1], op: cmp[2] === '!=' ? 'NotIn' : 'In', values: [cmp[3]] };
  const not = /^!\s*(\S+)$/.exec(term);
  if (not) return { key: not[1], op: 'DoesNotExist', values: [] };
  if (/^[^\s!=(),]+$/.test(term)) return { key: term, op: 'Exists', values: [] };
  throw new Error(`unable to parse requirement: ${JSON.stringify(term)}`);
}

/** "" selects everything, like upstream's labels.Everything(). Throws on syntax it cannot read. */
export function parseLabelSelector(s: string): LabelMatcher {
  return matcherOf(splitTerms(s).map(parseTerm));
}

/**
 * A LabelSelector object as in a Deployment's spec.selector. Upstream's LabelSelectorAsSelector: an undefined
 * selector matches nothing, an empty one ({}) matches everything.
 */
export function labelSelectorMatcher(sel: LabelSelector | undefined): LabelMatcher {
  if (!sel) return () => false;
  const reqs: Requirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]): Requirement => ({ key, op: 'In', values: [String(v)] }));
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator as Requirement['op'];
    if (op !== 'In' && op !== 'NotIn' && op !== 'Exists' && op !== 'DoesNotExist') {
      throw new Error(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    }
    reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return matcherOf(reqs);
}

/** The string form of a LabelSelector, for a list/watch `labelSelector` query parameter. */
export function formatLabelSelector(sel: LabelSelector): string {
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
