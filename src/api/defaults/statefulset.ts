// apps/v1 StatefulSet defaults (upstream SetDefaults_StatefulSet): OrderedReady, RollingUpdate with partition 0,
// one replica, ten revisions kept, claims retained on delete and scale, and the pod and claim templates
// defaulted like standalone objects.
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Defaulter } from '../strategy.ts';
import { defaultTemplateSpec } from './template.ts';
import { defaultClaim } from './storage.ts';

export const defaultStatefulSet: Defaulter = (obj) => {
  const sts = obj as unknown as StatefulSet;
  const spec = (sts.spec ??= { selector: {}, serviceName: '', template: {} } as NonNullable<StatefulSet['spec']>);
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  const us = (spec.updateStrategy ??= {});
  if (!us.type) us.type = 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    const ru = (us.rollingUpdate ??= {});
    if (ru.partition === undefined || ru.partition === null) ru.partition = 0;
  }
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= {});
  if (!retention.whenDeleted) retention.whenDeleted = 'Retain';
  if (!retention.whenScaled) retention.whenScaled = 'Retain';
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  defaultTemplateSpec(sts);
  for (const t of spec.volumeClaimTemplates ?? []) {
    defaultClaim(t);
    const meta = (t.metadata ??= {}) as { creationTimestamp?: string | null };
    if (meta.creationTimestamp === undefined) meta.creationTimestamp = null;
  }
};
