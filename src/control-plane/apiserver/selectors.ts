// Label and field selectors from the query string, turned into one predicate over objects. Parsing and
// matching rules live in src/api/labels.ts and src/api/fields.ts; this only wires them to a resource.
import type { KubeObject } from '../../api/object.ts';
import { labelSelectorFromObject, parseLabelSelector } from '../../api/labels.ts';
import { fieldLabelsOf, matchesFieldSelector, parseFieldSelector } from '../../api/fields.ts';
import type { GenericStore, ObjectFilter } from './registry/generic-store.ts';

export function buildFilter(store: GenericStore, query: URLSearchParams): ObjectFilter {
  const labelText = query.get('labelSelector') ?? '';
  const fieldText = query.get('fieldSelector') ?? '';
  const checks: ObjectFilter[] = [];
  if (labelText) {
    const sel = parseLabelSelector(labelText);
    checks.push((obj) => sel.matches(obj.metadata?.labels));
  }
  if (fieldText) {
    const sel = parseFieldSelector(fieldText, store.kindKey);
    checks.push((obj) => matchesFieldSelector(sel, fieldLabelsOf(store.kindKey, obj)));
  }
  if (checks.length === 0) return () => true;
  return (obj: KubeObject) => checks.every((c) => c(obj));
}

/** The string form of a metav1.LabelSelector, as Scale.status.selector carries it. */
export function selectorString(selector: unknown): string {
  if (!selector || typeof selector !== 'object') return '';
  return labelSelectorFromObject(selector as Parameters<typeof labelSelectorFromObject>[0]).toString();
}
