// batch/v1 printers, as upstream's: Job (NAME STATUS COMPLETIONS DURATION AGE | wide: CONTAINERS IMAGES SELECTOR)
// and CronJob (NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE | wide: CONTAINERS IMAGES SELECTOR).
import type { CronJob, Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import { ageColumn, col, containersDescription, imagesDescription, nameColumn, wide } from './columns.ts';
import { humanDuration, parseTime, translateTimestampSince } from './duration.ts';
import { formatLabelSelector, layoutContainerCells, view } from './format.ts';
import type { RowPrinter } from './table.ts';

const selectorDescription =
  'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: ' +
  'https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors';

const timeZoneDescription =
  'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not ' +
  'specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names ' +
  'and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation ' +
  'and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the ' +
  'database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in ' +
  'host configuration, the controller will stop creating new new Jobs and will create a system event with the reason ' +
  'UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones';

const hasCondition = (conds: JobCondition[] | undefined, type: string): boolean => conds?.some((c) => c.type === type && c.status === 'True') ?? false;

/** The STATUS cell: terminal conditions first, then deletion, suspension and an interim failure. */
export function jobStatusCell(job: Job): string {
  const conds = job.status?.conditions;
  if (hasCondition(conds, 'Complete')) return 'Complete';
  if (hasCondition(conds, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(conds, 'Suspended')) return 'Suspended';
  if (hasCondition(conds, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completionsCell(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions != null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function durationCell(job: Job, now: Date): string {
  const start = parseTime(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTime(job.status?.completionTime) ?? now.getTime();
  return humanDuration(end - start);
}

export const jobPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageColumn(),
    wide('Containers', 'string', containersDescription),
    wide('Images', 'string', imagesDescription),
    wide('Selector', 'string', selectorDescription),
  ],
  cells: (obj, now) => {
    const job = view<Job>(obj);
    const [names, images] = layoutContainerCells(job.spec?.template?.spec?.containers);
    return [
      obj.metadata?.name ?? '', jobStatusCell(job), completionsCell(job), durationCell(job, now),
      translateTimestampSince(obj.metadata?.creationTimestamp, now), names, images, formatLabelSelector(job.spec?.selector),
    ];
  },
};

export const cronJobPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'string', timeZoneDescription),
    col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn(),
    wide('Containers', 'string', containersDescription),
    wide('Images', 'string', imagesDescription),
    wide('Selector', 'string', selectorDescription),
  ],
  cells: (obj, now) => {
    const cj = view<CronJob>(obj);
    const jobSpec = cj.spec?.jobTemplate?.spec;
    const [names, images] = layoutContainerCells(jobSpec?.template?.spec?.containers);
    const suspend = cj.spec?.suspend;
    const last = cj.status?.lastScheduleTime;
    return [
      obj.metadata?.name ?? '', cj.spec?.schedule ?? '', cj.spec?.timeZone ?? '<none>',
      suspend == null ? '<unset>' : suspend ? 'True' : 'False',
      cj.status?.active?.length ?? 0, last ? translateTimestampSince(last, now) : '<none>',
      translateTimestampSince(obj.metadata?.creationTimestamp, now), names, images, formatLabelSelector(jobSpec?.selector),
    ];
  },
};
