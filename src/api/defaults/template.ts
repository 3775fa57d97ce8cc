// The pod template a workload embeds, defaulted as upstream does for Deployments, ReplicaSets and StatefulSets.
import { defaultPodSpec } from './pod.ts';

export function defaultTemplateSpec(obj: { spec?: { template?: { metadata?: object; spec?: object } } }): void {
  const template = obj.spec?.template;
  if (!template) return;
  // An embedded ObjectMeta is a Go struct: its unset creationTimestamp is written as null, so upstream serves
  // `template.metadata.creationTimestamp: null` (and kubectl apply's three-way diff compares against it).
  const meta = (template.metadata ??= {}) as { creationTimestamp?: string | null };
  if (meta.creationTimestamp === undefined) meta.creationTimestamp = null;
  if (template.spec) defaultPodSpec(template.spec as Parameters<typeof defaultPodSpec>[0]);
}
