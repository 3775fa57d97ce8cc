import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { crashExitCode, fatalHandler, shutdownSignal } from './process-policy.ts';

test('a process-level error is logged with its stack and ends the process with the crash status, once', () => {
  let out = '';
  const exits: number[] = [];
  const fatal = fatalHandler({ name: 'skiff', write: (t) => (out += t), exit: (c) => exits.push(c) });
  const err = new Error('boom');
  fatal(err, 'uncaughtException');
  fatal(new Error('second'), 'uncaughtException');
  assert.deepEqual(exits, [crashExitCode]);
  assert.match(out, /^skiff: FATAL: uncaught exception; exiting with status 70/);
  assert.ok(out.includes(err.stack!), 'the stack is printed');
  assert.doesNotMatch(out, /second/);
});

test('an unhandled rejection is named as such, and non-Error values are printed', () => {
  let out = '';
  const fatal = fatalHandler({ name: 'skiff', write: (t) => (out += t), exit: () => undefined });
  fatal({ reason: 'x' }, 'unhandledRejection');
  assert.match(out, /unhandled promise rejection/);
  assert.match(out, /non-Error value thrown: \{"reason":"x"\}/);
});

test('installed in a real process: an uncaught exception and an unhandled rejection each exit 70 loudly', () => {
  const policy = new URL('./process-policy.ts', import.meta.url).href;
  for (const [fault, what] of [['setTimeout(() => { throw new Error("thrown late"); }, 1)', 'uncaught exception'], ['Promise.reject(new Error("nobody awaited"))', 'unhandled promise rejection']]) {
    const code = `import { installProcessPolicy } from ${JSON.stringify(policy)}; installProcessPolicy({ name: 'skiff' }); ${fault}; setTimeout(() => {}, 5000);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, crashExitCode, r.stderr);
    assert.match(r.stderr, new RegExp(`skiff: FATAL: ${what}`));
    assert.match(r.stderr, /Error: (thrown late|nobody awaited)\n\s+at /);
  }
});

test('the first SIGTERM/SIGINT asks for a graceful stop, a second one exits 1 at once', async () => {
  const exits: number[] = [];
  const done = new AbortController();
  try {
    const first = shutdownSignal({ exit: (c) => exits.push(c), until: done.signal });
    process.emit('SIGINT', 'SIGINT');
    assert.equal(await first, 'SIGINT');
    assert.deepEqual(exits, []);
    process.emit('SIGTERM', 'SIGTERM');
    assert.deepEqual(exits, [1]);
  } finally {
    done.abort();
  }
});
