// The Job controller's decision for one sync, as a pure function of the job, its pods, the accounted counters and
// the time (upstream syncJob + manageJob): interim conditions first (FailureTarget on BackoffLimitExceeded or
// DeadlineExceeded, SuccessCriteriaMet when the completions are reached), the terminal Complete/Failed once no pod
// is left running, suspension and resumption, and how many pods — which indexes, in Indexed mode — to create or
// delete within parallelism and the pod-failure backoff.
import type { Job, JobCondition, JobSpec, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { type Ledger, ledgerStatus } from './job-accounting.ts';
import { backoffRemaining, conditionTrue, isPodReady, isTerminal, podFailureBackoffBaseMs, podIndex } from './job-util.ts';

export interface JobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface JobPlan {
  status: JobStatus;
  /** NonIndexed: how many pods to create; Indexed: which indexes. */
  create: number[] | number;
  delete: Pod[];
  events: JobEvent[];
  /** Look again after this long (deadline, backoff), if nothing else happens first. */
  requeueAfter?: number;
}

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const messages = {
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
  CompletionsReached: 'Reached expected number of succeeded pods',
};

function setCondition(conds: JobCondition[], type: string, status: string, reason: string, message: string, now: number): JobCondition[] {
  const t = rfc3339(now);
  const old = conds.find((c) => c.type === type);
  if (old && old.status === status && old.reason === reason && old.message === message) return conds;
  const next = { type, status, reason, message, lastProbeTime: t, lastTransitionTime: old?.status === status ? old.lastTransitionTime : t };
  return old ? conds.map((c) => (c === old ? next : c)) : [...conds, next];
}

/** Pods to remove when too many run: not yet ready first, then the newest. */
function deletionOrder(pods: Pod[]): Pod[] {
  return [...pods].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) ||
    (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''));
}

interface Counts { active: Pod[]; terminating: number }

function countPods(pods: Pod[]): Counts {
  const active = pods.filter((p) => !isTerminal(p) && !p.metadata?.deletionTimestamp);
  return { active, terminating: pods.filter((p) => !isTerminal(p) && !!p.metadata?.deletionTimestamp).length };
}

/** Under restartPolicy OnFailure the kubelet restarts containers in place: their restarts count as failures. */
function pastBackoffLimitOnFailure(job: Job, active: Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  const limit = job.spec.backoffLimit ?? 6;
  const restarts = active.reduce((n, p) => n + [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]
    .reduce((m, c) => m + (c.restartCount ?? 0), 0), 0);
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** The interim condition the job has reached now, if any. */
function interimCondition(job: Job, ledger: Ledger, counts: Counts, now: number): { type: string; reason: keyof typeof messages } | undefined {
  if (conditionTrue(job, 'FailureTarget')) return { type: 'FailureTarget', reason: conditionTrue(job, 'FailureTarget')!.reason as keyof typeof messages };
  if (conditionTrue(job, 'SuccessCriteriaMet')) return { type: 'SuccessCriteriaMet', reason: 'CompletionsReached' };
  const spec: JobSpec = job.spec ?? ({} as JobSpec);
  const failed = ledger.failed + ledger.uncountedFailed.size;
  const succeeded = ledger.succeeded + ledger.uncountedSucceeded.size;
  if (failed > (spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, counts.active)) return { type: 'FailureTarget', reason: 'BackoffLimitExceeded' };
  const start = Date.parse(job.status?.startTime ?? '');
  if (!spec.suspend && spec.activeDeadlineSeconds != null && Number.isFinite(start) && now - start >= spec.activeDeadlineSeconds * 1000) {
    return { type: 'FailureTarget', reason: 'DeadlineExceeded' };
  }
  const complete = spec.completionMode === 'Indexed'
    ? ledger.completed.size >= (spec.completions ?? 0)
    : spec.completions != null ? succeeded >= spec.completions : succeeded > 0 && counts.active.length === 0;
  return complete ? { type: 'SuccessCriteriaMet', reason: 'CompletionsReached' } : undefined;
}

/** What pods to create/delete while the job runs (not suspended, no interim condition). */
function managePods(job: Job, pods: Pod[], ledger: Ledger, active: Pod[], now: number, backoffBaseMs: number): Pick<JobPlan, 'create' | 'delete' | 'requeueAfter'> {
  const spec: JobSpec = job.spec ?? ({} as JobSpec);
  const parallelism = spec.parallelism ?? 1;
  const succeeded = ledger.succeeded + ledger.uncountedSucceeded.size;
  let create: number[] | number = 0;
  let del: Pod[] = [];
  if (spec.completionMode === 'Indexed') {
    const completions = spec.completions ?? 0;
    const byIndex = new Map<number, Pod[]>();
    for (const p of active) {
      const i = podIndex(p);
      if (i === undefined || i >= completions || ledger.completed.has(i)) del.push(p);
      else byIndex.set(i, [...(byIndex.get(i) ?? []), p]);
    }
    for (const group of byIndex.values()) del.push(...deletionOrder(group).slice(0, group.length - 1));
    const want = Math.min(parallelism, completions - ledger.completed.size);
    const running = [...byIndex.keys()].sort((a, b) => a - b);
    if (running.length > want) for (const i of running.slice(want)) del.push(...byIndex.get(i)!);
    const pending: number[] = [];
    for (let i = 0; i < completions && pending.length < want - running.length; i++) if (!ledger.completed.has(i) && !byIndex.has(i)) pending.push(i);
    create = pending;
  } else {
    const want = spec.completions != null ? Math.max(0, Math.min(parallelism, spec.completions - succeeded)) : succeeded > 0 ? active.length : parallelism;
    if (active.length > want) del = deletionOrder(active).slice(0, active.length - want);
    else create = want - active.length;
  }
  const wanted = Array.isArray(create) ? create.length : create;
  if (wanted > 0) {
    const wait = backoffRemaining(job, pods, now, backoffBaseMs);
    if (wait > 0) return { create: Array.isArray(create) ? [] : 0, delete: del, requeueAfter: wait };
  }
  return { create, delete: del };
}

/** backoffBaseMs: the first pod-failure backoff (upstream's 10 s unless the controller was told otherwise). */
export function planJob(job: Job, pods: Pod[], ledger: Ledger, now: number, backoffBaseMs = podFailureBackoffBaseMs): JobPlan {
  const spec: JobSpec = job.spec ?? ({} as JobSpec);
  const prev = job.status ?? {};
  const counts = countPods(pods);
  const events: JobEvent[] = [];
  let conditions = [...(prev.conditions ?? [])];
  let startTime = prev.startTime;
  let create: JobPlan['create'] = 0;
  let del: Pod[] = [];
  let requeueAfter: number | undefined;
  let completionTime = prev.completionTime;

  if (spec.suspend) {
    if (!conditionTrue(job, 'Suspended')) {
      conditions = setCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
      events.push({ type: 'Normal', reason: 'Suspended', message: 'Job suspended' });
    }
    startTime = undefined; // the deadline clock restarts on resume
    del = counts.active;
  } else {
    if (conditionTrue(job, 'Suspended')) {
      conditions = setCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
      events.push({ type: 'Normal', reason: 'Resumed', message: 'Job resumed' });
      startTime = rfc3339(now);
    }
    startTime ??= rfc3339(now);
    const withStart: Job = { ...job, status: { ...prev, startTime } };
    const interim = interimCondition(withStart, ledger, counts, now);
    if (interim) {
      conditions = setCondition(conditions, interim.type, 'True', interim.reason, messages[interim.reason], now);
      del = counts.active;
      const drained = counts.active.length === 0 && counts.terminating === 0 && ledger.uncountedFailed.size === 0 && ledger.uncountedSucceeded.size === 0;
      if (drained) {
        const terminal = interim.type === 'FailureTarget' ? 'Failed' : 'Complete';
        conditions = setCondition(conditions, terminal, 'True', interim.reason, messages[interim.reason], now);
        if (terminal === 'Complete') {
          completionTime = rfc3339(now);
          events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
        } else {
          events.push({ type: 'Warning', reason: interim.reason, message: messages[interim.reason] });
        }
      }
    } else {
      ({ create, delete: del, requeueAfter } = managePods(job, pods, ledger, counts.active, now, backoffBaseMs));
      const deadline = spec.activeDeadlineSeconds;
      if (deadline != null) {
        const left = Date.parse(startTime) + deadline * 1000 - now;
        requeueAfter = Math.min(requeueAfter ?? Infinity, Math.max(0, left));
      }
    }
  }
  const deleting = new Set(del);
  const active = counts.active.filter((p) => !deleting.has(p));
  const finished = conditions.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  // ready and terminating are pointers upstream (served as 0); active is omitempty
  const status: JobStatus = {
    ...ledgerStatus(job, ledger),
    ready: finished ? 0 : active.filter(isPodReady).length,
    terminating: finished ? 0 : counts.terminating + del.length,
  };
  if (!finished && active.length) status.active = active.length;
  if (conditions.length) status.conditions = conditions;
  if (startTime) status.startTime = startTime;
  if (completionTime) status.completionTime = completionTime;
  return { status, create, delete: del, events, requeueAfter };
}
