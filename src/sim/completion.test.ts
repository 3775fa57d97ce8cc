import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { exitedStatus, runStartedAt, simExitOf } from './completion.ts';
import { runningStatus } from './objects.ts';

const t0 = Date.parse('2026-01-01T00:00:00Z');

function pod(restartPolicy: string, annotations: Record<string, string>): Pod {
  const p: Pod = { metadata: { name: 'p', uid: 'u', annotations }, spec: { restartPolicy, containers: [{ name: 'c', image: 'i' }] } };
  return { ...p, status: runningStatus(p, '10.42.0.2', '172.16.0.1', t0) };
}

test('annotations: exit code and run time, malformed ignored', () => {
  assert.deepEqual(simExitOf(pod('Never', { 'sim.skiff.io/exit-code': '3', 'sim.skiff.io/run-seconds': '2' })), { exitCode: 3, runMs: 2000 });
  assert.deepEqual(simExitOf(pod('Never', { 'sim.skiff.io/exit-code': '0' })), { exitCode: 0, runMs: 0 });
  assert.equal(simExitOf(pod('Never', { 'sim.skiff.io/exit-code': 'x' })), undefined);
  assert.equal(simExitOf(pod('Never', {})), undefined);
  assert.equal(runStartedAt(pod('Never', {})), t0);
});

test('exit 0 succeeds; non-zero fails under Never and restarts under OnFailure', () => {
  const ok = exitedStatus(pod('OnFailure', {}), 0, t0 + 5000);
  assert.equal(ok.phase, 'Succeeded');
  assert.equal(ok.containerStatuses?.[0].state?.terminated?.reason, 'Completed');
  assert.equal(ok.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  const failed = exitedStatus(pod('Never', {}), 2, t0 + 5000);
  assert.equal(failed.phase, 'Failed');
  assert.equal(failed.containerStatuses?.[0].state?.terminated?.exitCode, 2);
  const restarted = exitedStatus(pod('OnFailure', {}), 2, t0 + 5000);
  assert.equal(restarted.phase, 'Running');
  assert.equal(restarted.containerStatuses?.[0].restartCount, 1);
  assert.equal(restarted.containerStatuses?.[0].lastState?.terminated?.exitCode, 2);
  assert.equal(Date.parse(restarted.containerStatuses?.[0].state?.running?.startedAt ?? ''), t0 + 5000);
});
