import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.ts';
import { logTarget, podContainer, portForwardTarget, streamTarget } from './connect-options.ts';

const pod = (...names: string[]): Pod => ({ metadata: { name: 'p', namespace: 'ns' }, spec: { containers: names.map((name) => ({ name })), initContainers: [{ name: 'init' }] } });
const q = (s: string) => new URLSearchParams(s);

function status(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError);
    return { code: e.status.code ?? 0, message: e.status.message ?? '' };
  }
  assert.fail('no error');
}

test('the container defaults to the only one, else a 400 naming every container', () => {
  assert.equal(podContainer(pod('a'), null), 'a');
  assert.deepEqual(status(() => podContainer(pod('a', 'b'), null)), { code: 400, message: 'a container name must be specified for pod p, choose one of: [init a b]' });
  assert.deepEqual(status(() => podContainer(pod('a'), 'x')), { code: 400, message: 'container x is not valid for pod p' });
  assert.equal(podContainer(pod('a', 'b'), 'init'), 'init');
});

test('pods/log options map to the kubelet query; bad values are 422 as upstream validates them', () => {
  assert.equal(logTarget(pod('a'), q('follow=true&tailLines=5&timestamps=1&previous=True')), '/containerLogs/ns/p/a?follow=true&previous=true&timestamps=true&tailLines=5');
  assert.equal(logTarget(pod('a'), q('')), '/containerLogs/ns/p/a');
  const bad = status(() => logTarget(pod('a'), q('tailLines=-1&limitBytes=0')));
  assert.equal(bad.code, 422);
  assert.equal(bad.message, 'PodLogOptions "p" is invalid: [tailLines: Invalid value: -1: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0]');
  assert.equal(status(() => logTarget(pod('a'), q('sinceSeconds=0'))).code, 422);
  assert.equal(status(() => logTarget(pod('a'), q('sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z'))).code, 422);
  assert.equal(status(() => logTarget(pod('a'), q('tailLines=x'))).code, 400);
  assert.equal(status(() => logTarget(pod('a'), q('follow=maybe'))).code, 400);
});

test('exec, attach and portforward targets', () => {
  assert.equal(streamTarget('exec', pod('a'), q('command=sh&command=-c&command=echo%20hi&stdin=true&stdout=true&stderr=false&tty=false')),
    '/exec/ns/p/a?command=sh&command=-c&command=echo+hi&input=1&output=1');
  assert.equal(streamTarget('attach', pod('a', 'b'), q('container=b&stdout=1&tty=true')), '/attach/ns/p/b?output=1&tty=1');
  assert.equal(portForwardTarget(pod('a'), q('ports=80&ports=443')), '/portForward/ns/p?ports=80&ports=443');
  assert.equal(status(() => portForwardTarget(pod('a'), q('ports=0'))).code, 400);
});
