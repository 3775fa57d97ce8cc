import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostedComponentState } from './hosted-component.ts';
import { LatestStates, snapshotOf } from './mirror-states.ts';

const at = new Date('2026-12-01T00:00:00Z');
const running = (restarts = 0): HostedComponentState => ({ phase: 'running', restarts, since: at, startedAt: at });

test('the latest snapshot is what a component\'s state reads; only a component whose state moved hears of it', async () => {
  const states = new LatestStates();
  assert.equal(states.state('scheduler').phase, 'stopped', 'before any snapshot');
  const heard: string[] = [];
  const stop = states.onChange('scheduler', () => heard.push('scheduler'));
  states.onChange('dns', () => heard.push('dns'));
  states.update({ scheduler: running(), dns: running() });
  await states.first;
  assert.deepEqual(heard, ['scheduler', 'dns']);
  states.update({ scheduler: running(1), dns: running() });
  assert.deepEqual(heard, ['scheduler', 'dns', 'scheduler']);
  assert.equal(states.state('scheduler').restarts, 1);
  stop();
  states.update({ scheduler: running(2), dns: running() });
  assert.deepEqual(heard, ['scheduler', 'dns', 'scheduler']);
  assert.equal(states.state('scheduler').restarts, 2);
});

test('a snapshot holds each supervisor\'s state by its name', () => {
  const snap = snapshotOf([{ name: 'scheduler', state: () => running(3) }]);
  assert.deepEqual(snap, { scheduler: running(3) });
});
