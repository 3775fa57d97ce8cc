import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCronSchedule, scheduleHasTimeZone, timeZoneError } from './cron.ts';

const at = (iso: string): number => Date.parse(iso);

test('five fields, strictly after, in UTC', () => {
  const s = parseCronSchedule('*/5 * * * *', 'UTC');
  assert.equal(new Date(s.next(at('2026-01-01T00:03:00Z'))).toISOString(), '2026-01-01T00:05:00.000Z');
  assert.equal(new Date(s.next(at('2026-01-01T00:05:00Z'))).toISOString(), '2026-01-01T00:10:00.000Z');
});

test('descriptors and time zones', () => {
  assert.equal(new Date(parseCronSchedule('@hourly', 'UTC').next(at('2026-01-01T00:03:00Z'))).toISOString(), '2026-01-01T01:00:00.000Z');
  assert.equal(new Date(parseCronSchedule('@midnight', 'UTC').next(at('2026-01-01T00:03:00Z'))).toISOString(), '2026-01-02T00:00:00.000Z');
  // 09:00 in Berlin is 08:00 UTC in winter
  assert.equal(new Date(parseCronSchedule('0 9 * * *', 'Europe/Berlin').next(at('2026-01-01T00:00:00Z'))).toISOString(), '2026-01-01T08:00:00.000Z');
});

test('upstream-worded errors', () => {
  assert.throws(() => parseCronSchedule('* * * *', 'UTC'), /expected exactly 5 fields, found 4: \[\* \* \* \*\]/);
  assert.throws(() => parseCronSchedule('0 * * * * *', 'UTC'), /expected exactly 5 fields, found 6/);
  assert.throws(() => parseCronSchedule('61 * * * *', 'UTC'), /61/);
  assert.throws(() => parseCronSchedule('@often', 'UTC'), /unrecognized descriptor: @often/);
  assert.throws(() => parseCronSchedule('* * * * *', 'Mars/Base'), /unknown time zone Mars\/Base/);
});

test('time zone names as upstream takes them', () => {
  assert.equal(timeZoneError('America/New_York'), '');
  assert.equal(timeZoneError('Etc/UTC'), '');
  assert.equal(timeZoneError('europe/berlin'), 'unknown time zone europe/berlin');
  assert.match(timeZoneError('Local'), /explicit time zone/);
  assert.equal(scheduleHasTimeZone('CRON_TZ=UTC 0 * * * *'), true);
  assert.equal(scheduleHasTimeZone('0 * * * *'), false);
});

test('@every: a constant delay in whole seconds', () => {
  const s = parseCronSchedule('@every 1h30m', 'UTC');
  assert.equal(s.next(at('2026-01-01T00:00:00.500Z')), at('2026-01-01T01:30:00Z'));
  assert.equal(parseCronSchedule('@every 10ms').next(at('2026-01-01T00:00:00Z')), at('2026-01-01T00:00:01Z'));
  assert.throws(() => parseCronSchedule('@every soon'), /failed to parse duration @every soon/);
});
