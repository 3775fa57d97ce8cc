// Cell formatting helpers with upstream's exact spelling: label sets and selectors as apimachinery's
// String() renders them, container/image lists, "<none>" placeholders and "a,b,c + N more...".
import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../object.ts';

/** labels.FormatLabels: sorted "k=v" joined by ",", "<none>" when empty. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${(labels ?? {})[k]}`).join(',');
}

class InvalidSelector extends Error {}

function requirementString(r: LabelSelectorRequirement): string {
  const values = [...(r.values ?? [])];
  switch (r.operator) {
    case 'In':
    case 'NotIn': {
      if (values.length === 0) throw new InvalidSelector(`values: Invalid value: for 'in', 'notin' operators, values set can't be empty`);
      const joined = values.length === 1 ? values[0] : values.sort().join(',');
      return `${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${joined})`;
    }
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) throw new InvalidSelector(`values: Invalid value: values set must be empty for exists and does not exist`);
      return r.operator === 'Exists' ? r.key : `!${r.key}`;
    default:
      throw new InvalidSelector(`"${r.operator}" is not a valid label selector operator`);
  }
}

/**
 * metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key, "" for a nil or empty selector.
 * Throws on an invalid operator or value set (key/value syntax is not re-validated here: the
 * apiserver's validation already rejects such objects).
 */
export function labelSelectorString(selector: LabelSelector | null | undefined): string {
  if (!selector) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const r of selector.matchExpressions ?? []) reqs.push({ key: r.key, text: requirementString(r) });
  // Array.prototype.sort is stable; upstream sorts by key only.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: the selector string, "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  try {
    const s = labelSelectorString(selector);
    return s === '' ? '<none>' : s;
  } catch (e) {
    if (e instanceof InvalidSelector) return '<error>';
    throw e;
  }
}

/** The Deployment printer's variant: "" when empty, "<invalid>" when invalid. */
export function deploymentSelectorString(selector: LabelSelector | null | undefined): string {
  try {
    return labelSelectorString(selector);
  } catch (e) {
    if (e instanceof InvalidSelector) return '<invalid>';
    throw e;
  }
}

/** layoutContainerCells: container names and images, each comma-joined. */
export function layoutContainerCells(containers: { name: string; image?: string }[] | null | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

/** listWithMoreString: "a,b,c + N more...", "<unset>" when empty. */
export function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const joined = list.join(',');
  if (more) return `${joined} + ${count - max} more...`;
  return joined === '' ? '<unset>' : joined;
}

/** net.JoinHostPort: brackets around IPv6 literals. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function nameOf(obj: KubeObject): string {
  return obj.metadata?.name ?? '';
}

/** Typed view of a generic object; the printers only read, so a cast is all that is needed. */
export function view<T>(obj: KubeObject): T {
  return obj as unknown as T;
}
