import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateErrorStream } from './stream-status.ts';

const enc = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

test('nothing or Success on the kubelet\'s error stream is Success for the client', () => {
  assert.deepEqual(translateErrorStream(Buffer.alloc(0)), { status: { metadata: {}, status: 'Success' }, code: '200' });
  assert.deepEqual(translateErrorStream(enc({ metadata: {}, status: 'Success' })).status.status, 'Success');
});

test('a NonZeroExitCode Status carries the exit code on as upstream writes it', () => {
  const r = translateErrorStream(enc({
    status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code: exit status 3',
    details: { causes: [{ reason: 'ExitCode', message: '3' }] },
  }));
  assert.equal(r.code, '200');
  assert.deepEqual(r.status, {
    metadata: {}, status: 'Failure', message: 'command terminated with non-zero exit code: command terminated with exit code 3',
    reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] },
  });
});

test('other failures and malformed streams become InternalError', () => {
  const other = translateErrorStream(enc({ status: 'Failure', message: 'container not running' }));
  assert.equal(other.code, '500');
  assert.deepEqual(other.status, {
    metadata: {}, status: 'Failure', message: 'Internal error occurred: container not running', reason: 'InternalError',
    details: { causes: [{ message: 'container not running' }] }, code: 500,
  });
  const runtime = translateErrorStream(enc({ status: 'Failure', reason: 'InternalError', message: 'Internal error occurred: error executing command in container' }));
  assert.equal(runtime.status.message, 'Internal error occurred: error executing command in container');
  assert.match(translateErrorStream(Buffer.from('{oops')).status.message!, /error stream protocol error/);
  assert.match(translateErrorStream(enc({ status: 'Failure', reason: 'NonZeroExitCode' })).status.message!, /details must be set/);
  assert.match(translateErrorStream(enc({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '300' }] } })).status.message!, /invalid exit code value "300"/);
  assert.match(translateErrorStream(enc({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [] } })).status.message!, /no ExitCode cause given/);
});
