// Job (batch/v1 jobs): generation tracks spec changes, status starts empty ({}), and unless spec.manualSelector
// is set the selector is generated from the uid at create (upstream's generateSelector): the pod template gets
// batch.kubernetes.io/controller-uid, batch.kubernetes.io/job-name and their legacy unprefixed twins, and the
// selector matches the controller-uid label alone, so no two jobs ever select each other's pods.
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { KubeObject } from '../object.ts';
import { defaultJob } from '../defaults/batch.ts';
import { int } from '../field-values.ts';
import { jobPrinter } from '../printers/batch.ts';
import { controllerUidLabel, jobNameLabel, jobValidator, legacyControllerUidLabel, legacyJobNameLabel } from '../validation/batch.ts';
import { defineResource } from './define.ts';

/** Labels the user set win; a conflicting one is then rejected by validation, as upstream. */
export function generateSelector(job: Job): void {
  const spec = job.spec;
  if (!spec || spec.manualSelector) return;
  const template = (spec.template ??= {});
  const labels = ((template.metadata ??= {}).labels ??= {});
  const name = job.metadata?.name ?? '';
  const uid = job.metadata?.uid ?? '';
  for (const [k, v] of [[legacyJobNameLabel, name], [jobNameLabel, name], [legacyControllerUidLabel, uid], [controllerUidLabel, uid]]) {
    if (!(k in labels)) labels[k] = v;
  }
  const selector = (spec.selector ??= {});
  const matchLabels = (selector.matchLabels ??= {});
  if (!(controllerUidLabel in matchLabels)) matchLabels[controllerUidLabel] = uid;
}

function prepareJobForCreate(obj: KubeObject): void {
  const job = obj as unknown as Job;
  (obj.metadata as { generation?: number }).generation = 1;
  job.status = {};
  generateSelector(job);
  // Upstream defaults the job's labels to its template's whenever it has none, and serves them so once the
  // generated labels exist; setting them here stores what upstream serves.
  const labels = job.spec?.template?.metadata?.labels;
  if (labels && Object.keys(job.metadata?.labels ?? {}).length === 0) job.metadata!.labels = { ...labels };
}

export const jobs = defineResource({
  group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', namespaced: true,
  categories: ['all'],
  printer: jobPrinter,
  fieldSelectors: { 'status.successful': int('status.succeeded') },
  strategy: { validator: jobValidator, defaults: defaultJob, generation: true, prepareForCreate: prepareJobForCreate },
  status: true,
});
