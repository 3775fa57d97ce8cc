// CronJob schedules: upstream parses spec.schedule with robfig/cron's ParseStandard (five fields, or one of the
// @-descriptors) and resolves spec.timeZone from the IANA database. The field arithmetic is the maintained
// `cron-parser` package's (it handles ranges, steps, names and DST in any IANA zone); this module only narrows
// its wider grammar (it also takes four or six fields) to the standard one, adds robfig's "@every <duration>",
// and words errors as upstream does.
import { CronExpressionParser } from 'cron-parser';

export interface CronSchedule {
  /** The first scheduled instant strictly after `afterMs` (epoch ms). */
  next(afterMs: number): number;
}

const descriptors: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** The zone a schedule without spec.timeZone runs in: the controller process's own, as upstream. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** '' when timeZone is a usable IANA name, else upstream's message for it. */
export function timeZoneError(timeZone: string): string {
  if (timeZone.toLowerCase() === 'local') return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones';
  try {
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
    // Go's zone lookup is case-sensitive where Intl's is not: "europe/berlin" is unknown to upstream.
    if (canonical !== timeZone && canonical.toLowerCase() === timeZone.toLowerCase()) return `unknown time zone ${timeZone}`;
    return '';
  } catch {
    return `unknown time zone ${timeZone}`;
  }
}

/** The five standard fields of a schedule, or throws with robfig/cron's wording. */
function standardFields(schedule: string): string {
  const trimmed = schedule.trim();
  if (trimmed.startsWith('@')) {
    const fields = descriptors[trimmed];
    if (!fields) throw new Error(`unrecognized descriptor: ${trimmed}`);
    return fields;
  }
  const fields = trimmed.split(/\s+/).filter(Boolean);
  if (fields.length === 0) throw new Error('empty spec string');
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return fields.join(' ');
}

const durationUnits: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("1h30m", "90s", "1.5h") in ms, or undefined when malformed. */
function parseGoDuration(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, num, , unit] of text.matchAll(/(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(num) * durationUnits[unit];
  return ms;
}

/** robfig/cron's "@every <duration>": a constant delay in whole seconds (at least one) after the previous run. */
function everySchedule(schedule: string, spec: string): CronSchedule {
  const ms = parseGoDuration(spec);
  if (ms === undefined) throw new Error(`failed to parse duration ${schedule}: time: invalid duration "${spec}"`);
  const delay = Math.max(1000, Math.floor(ms / 1000) * 1000);
  return { next: (afterMs) => Math.floor(afterMs / 1000) * 1000 + delay };
}

/** Parses a standard schedule in a zone (default: the process's); throws an Error whose message is upstream-like. */
export function parseCronSchedule(schedule: string, timeZone?: string): CronSchedule {
  const every = /^@every\s+(\S+)$/.exec(schedule.trim());
  if (every) return everySchedule(schedule, every[1]);
  const expr = standardFields(schedule);
  const tz = timeZone || localTimeZone();
  const tzErr = timeZoneError(tz);
  if (tzErr) throw new Error(tzErr);
  // Parse once now so that a bad field fails here, not at the first use.
  CronExpressionParser.parse(expr, { tz, currentDate: 0 });
  return {
    next(afterMs) {
      return CronExpressionParser.parse(expr, { tz, currentDate: afterMs }).next().getTime();
    },
  };
}

/** Whether the schedule names a zone itself (TZ= / CRON_TZ=), which batch/v1 forbids in favour of spec.timeZone. */
export function scheduleHasTimeZone(schedule: string): boolean {
  return /(^|\s)(CRON_)?TZ=/.test(schedule.trim());
}
