// The API server's event loop serves requests and nothing else: `skiff server`'s main thread loads no API client
// (informers, watches, work queues). Its components, the mirror-pod publisher among them, load theirs in their own
// worker threads or child processes. Checked on the modules the main thread resolves importing the server command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { siblingModule } from './hosted-main.ts';

function loadedBy(...targets: string[]): Promise<string[]> {
  const recorder = new URL(siblingModule(import.meta.url, './loaded-modules.fixture'));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', recorder.pathname, ...targets], { maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.split('\n').filter(Boolean)));
  });
}

test('skiff server\'s main thread loads no API client code: the mirror-pod publisher runs elsewhere', async () => {
  // the command, and the module it loads once it holds the data dir lock
  const loaded = await loadedBy(siblingModule(import.meta.url, '../cli/server-command'), siblingModule(import.meta.url, './run-server'));
  const ours = (suffix: string) => loaded.some((u) => u.endsWith(suffix));
  // the recorder saw the server's modules (an empty list would prove nothing)
  assert.ok(ours('/src/server/run-server.ts') || ours('/server/run-server.js'), loaded.join('\n'));
  assert.ok(ours('/src/server/mirror-pods-host.ts') || ours('/server/mirror-pods-host.js'));
  // (client/kubeconfig.ts, a kubeconfig reader the component endpoints share, is no client)
  const client = loaded.filter((u) => /\/client\/(index|rest|watch|informer|reflector|workqueue|controller)\.[jt]s$/.test(u) || /\/server\/mirror-pods(-main)?\.[jt]s$/.test(u));
  assert.deepEqual(client, []);
});
