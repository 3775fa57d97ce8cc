// Which pods hold a claim for the pvc-protection controller (upstream podUsesPVC / podIsShutDown).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podIsShutDown, podUsesClaim } from './pvc-protection.ts';

const pod = (extra: { nodeName?: string; phase?: string; deleted?: number; claim?: string } = {}): Pod => ({
  metadata: { name: 'p', namespace: 'ns', ...(extra.deleted !== undefined ? { deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: extra.deleted } : {}) },
  spec: { nodeName: extra.nodeName ?? 'n1', containers: [], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: extra.claim ?? 'data' } }] },
  status: { phase: extra.phase ?? 'Running' },
});

test('a scheduled pod that is not shut down holds the claims it mounts', () => {
  assert.equal(podUsesClaim(pod(), 'data'), true);
  assert.equal(podUsesClaim(pod(), 'other'), false);
  assert.equal(podUsesClaim(pod({ nodeName: '' }), 'data'), false, 'unscheduled: the kubelet will refuse a terminating claim');
  assert.equal(podUsesClaim(pod({ phase: 'Succeeded' }), 'data'), false);
  assert.equal(podUsesClaim(pod({ phase: 'Failed' }), 'data'), false);
  assert.equal(podUsesClaim(pod({ deleted: 30 }), 'data'), true, 'still terminating within its grace period');
  assert.equal(podUsesClaim(pod({ deleted: 0 }), 'data'), false, 'deleted with no grace left');
  assert.equal(podIsShutDown(pod({ deleted: 0, phase: 'Running' })), true);
});
