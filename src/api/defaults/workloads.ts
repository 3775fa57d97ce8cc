// Defaults for ReplicationController (core/v1) and DaemonSet (apps/v1), as upstream's SetDefaults_*: an RC's
// selector and labels come from its template's labels when unset and replicas is 1; a DaemonSet rolls updates
// with maxUnavailable 1 / maxSurge 0 and keeps 10 revisions. Templates get the usual pod spec defaults.
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { Defaulter } from '../strategy.ts';
import { defaultPodSpec } from './pod.ts';

const unset = (v: unknown): boolean => v === undefined || v === null || v === '';

function defaultTemplate(template: { metadata?: object; spec?: object } | undefined | null): void {
  if (!template) return;
  // an embedded ObjectMeta serialises its unset creationTimestamp as null upstream (kubectl apply diffs against it)
  const meta = (template.metadata ??= {}) as { creationTimestamp?: string | null };
  if (meta.creationTimestamp === undefined) meta.creationTimestamp = null;
  if (template.spec) defaultPodSpec(template.spec as Parameters<typeof defaultPodSpec>[0]);
}

export const defaultReplicationController: Defaulter = (obj) => {
  const rc = obj as unknown as ReplicationController;
  const spec = (rc.spec ??= {});
  const templateLabels = spec.template?.metadata?.labels;
  // upstream copies the template's labels where the selector or the object's own labels are empty
  if (templateLabels && Object.keys(templateLabels).length) {
    if (!spec.selector || Object.keys(spec.selector).length === 0) spec.selector = { ...templateLabels };
    const meta = (rc.metadata ??= {});
    if (!meta.labels || Object.keys(meta.labels).length === 0) meta.labels = { ...templateLabels };
  }
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  defaultTemplate(spec.template);
};

export const defaultDaemonSet: Defaulter = (obj) => {
  const ds = obj as unknown as DaemonSet;
  const spec = (ds.spec ??= { selector: {}, template: {} } as DaemonSet['spec'] & object);
  const strategy = (spec.updateStrategy ??= {});
  if (unset(strategy.type)) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = 1;
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = 0;
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  defaultTemplate(spec.template);
};
