// Ages as kubectl shows them: upstream's duration.HumanDuration (apimachinery util/duration), ~2-3
// significant figures, and the printers' "<unknown>" for an unset timestamp. Pure functions; `now` is
// always passed in so tests never depend on the wall clock.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Go's int(x) on a float: truncation toward zero. */
function trunc(x: number): number {
  return Math.trunc(x);
}

/** Upstream's HumanDuration for a duration in milliseconds: "45s", "3m2s", "15m", "4h5m", "2d3h", "45d", "2y3d", "9y". */
export function humanDuration(ms: number): string {
  // Up to 2s in the future is clock skew between machines and reads as "0s"; more is "<invalid>".
  const seconds = trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${trunc(hours / 24)}d` : `${trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = trunc(hours / 24) % 365;
    const y = trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${trunc(hours / 24 / 365)}y`;
}

/** Milliseconds since the epoch for an RFC 3339 timestamp (Time or MicroTime); undefined when unset or unparsable. */
export function parseTime(ts: string | null | undefined): number | undefined {
  if (!ts) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Upstream's translateTimestampSince: the age of a timestamp, "<unknown>" when it is unset. */
export function translateTimestampSince(ts: string | number | null | undefined, now: Date): string {
  const ms = typeof ts === 'number' ? ts : parseTime(ts);
  if (ms === undefined) return '<unknown>';
  return humanDuration(now.getTime() - ms);
}
