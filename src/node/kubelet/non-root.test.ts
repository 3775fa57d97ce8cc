import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod, PodSecurityContext } from 'kubernetes-types/core/v1.js';
import { runAsNonRootViolation } from './non-root.ts';

const pod = (c: Container, psc?: PodSecurityContext): Pod => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [c], securityContext: psc } });
const who = '(pod: "p_ns(u1)", container: c)';

test('runAsNonRoot unset or false allows any user', () => {
  assert.equal(runAsNonRootViolation(pod({ name: 'c' }), { name: 'c' }, {}), undefined);
  const c = { name: 'c', securityContext: { runAsNonRoot: false } };
  assert.equal(runAsNonRootViolation(pod(c), c, { uid: 0 }), undefined);
});

test('an explicit runAsUser decides: 0 breaks the policy, anything else passes', () => {
  const root = { name: 'c', securityContext: { runAsNonRoot: true, runAsUser: 0 } };
  assert.equal(runAsNonRootViolation(pod(root), root, { uid: 1000 }), `container's runAsUser breaks non-root policy ${who}`);
  const user = { name: 'c', securityContext: { runAsNonRoot: true, runAsUser: 1000 } };
  assert.equal(runAsNonRootViolation(pod(user), user, { uid: 0 }), undefined);
});

test("without runAsUser the image's user decides; no user means root", () => {
  const c = { name: 'c', securityContext: { runAsNonRoot: true } };
  assert.equal(runAsNonRootViolation(pod(c), c, { uid: 0 }), `container has runAsNonRoot and image will run as root ${who}`);
  assert.equal(runAsNonRootViolation(pod(c), c, {}), `container has runAsNonRoot and image will run as root ${who}`);
  assert.equal(runAsNonRootViolation(pod(c), c, { uid: 65534 }), undefined);
  assert.equal(runAsNonRootViolation(pod(c), c, { username: 'nobody' }),
    `container has runAsNonRoot and image has non-numeric user (nobody), cannot verify user is non-root ${who}`);
});

test('the pod securityContext applies; the container one overrides it', () => {
  const c = { name: 'c' };
  assert.match(runAsNonRootViolation(pod(c, { runAsNonRoot: true }), c, {}) ?? '', /image will run as root/);
  assert.equal(runAsNonRootViolation(pod(c, { runAsNonRoot: true, runAsUser: 7 }), c, {}), undefined);
  const over = { name: 'c', securityContext: { runAsNonRoot: false } };
  assert.equal(runAsNonRootViolation(pod(over, { runAsNonRoot: true }), over, {}), undefined);
});
