// Label selectors for clients (informer listers, controllers): thin function-shaped views of the one selector
// implementation in src/api/labels.ts, so client and server agree on every parse and match.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { labelSelectorFromObject, parseLabelSelector as parseSelector } from '../api/labels.ts';

export type Labels = Readonly<Record<string, string>>;
export type LabelMatcher = (labels: Labels | undefined) => boolean;

/** "" selects everything, like upstream's labels.Everything(). Throws on syntax it cannot read. */
export function parseLabelSelector(s: string): LabelMatcher {
  const sel = parseSelector(s);
  return (labels) => sel.matches(labels as Record<string, string> | undefined);
}

/**
 * A LabelSelector object as in a Deployment's spec.selector. Upstream's LabelSelectorAsSelector: an undefined
 * selector matches nothing, an empty one ({}) matches everything.
 */
export function labelSelectorMatcher(sel: LabelSelector | undefined): LabelMatcher {
  const predicate = labelSelectorFromObject(sel);
  return (labels) => predicate.matches(labels as Record<string, string> | undefined);
}

/** The string form of a LabelSelector, for a list/watch `labelSelector` query parameter. */
export function formatLabelSelector(sel: LabelSelector): string {
  return labelSelectorFromObject(sel).toString();
}
