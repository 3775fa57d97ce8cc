// The official Python client (kubernetes 22.x at /usr/bin/python3), unmodified, lists and watches through Skiff.
// It spells the watch flag `watch=True`; a server that only knew `true` would answer with a list and the
// Python watch would end at once without an event.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/server.ts';

const python = '/usr/bin/python3';

// Prints READY once it holds a resourceVersion to watch from, so nothing written after READY can be missed,
// then one line per event, and DONE when the watched object is gone.
const watchScript = `
import sys
from kubernetes import client, config, watch
config.load_kube_config(sys.argv[1])
v1 = client.CoreV1Api()
rv = v1.list_namespaced_config_map('default').metadata.resource_version
print('READY', flush=True)
w = watch.Watch()
for ev in w.stream(v1.list_namespaced_config_map, 'default', resource_version=rv, timeout_seconds=120):
    print(ev['type'], ev['object'].metadata.name, ev['object'].data, flush=True)
    if ev['type'] == 'DELETED' and ev['object'].metadata.name == 'from-python':
        break
print('DONE', flush=True)
`;

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s?.stop());

test('the Python client watch (watch=True) receives ADDED, MODIFIED and DELETED', async () => {
  const script = join(s.dataDir, 'watch.py');
  writeFileSync(script, watchScript);
  const child = spawn(python, [script, s.kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('READY\n')) resolve();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    void exited.then(() => reject(new Error(`python exited before READY: ${out}${err}`)));
  });
  try {
    await ready;
    for (const args of [
      ['create', 'configmap', 'from-python', '--from-literal=a=1'],
      ['patch', 'configmap', 'from-python', '-p', '{"data":{"a":"2"}}'],
      ['delete', 'configmap', 'from-python'],
    ]) {
      const r = await s.kubectl(args);
      assert.equal(r.code, 0, r.stderr);
    }
    // Bounded only by the script's own watch timeout: the exit is the event awaited.
    assert.equal(await exited, 0, err);
    const lines = out.trim().split('\n');
    assert.deepEqual(lines, [
      'READY',
      "ADDED from-python {'a': '1'}",
      "MODIFIED from-python {'a': '2'}",
      "DELETED from-python {'a': '2'}",
      'DONE',
    ], err);
  } finally {
    child.kill('SIGKILL');
  }
});

test('the Python client reads lists with limit and continue', async () => {
  for (const name of ['py-a', 'py-b', 'py-c']) assert.equal((await s.kubectl(['create', 'configmap', name])).code, 0);
  const script = join(s.dataDir, 'list.py');
  writeFileSync(script, `
import sys
from kubernetes import client, config
config.load_kube_config(sys.argv[1])
v1 = client.CoreV1Api()
names, token = [], None
while True:
    page = v1.list_namespaced_config_map('default', limit=2, _continue=token)
    names += [c.metadata.name for c in page.items if c.metadata.name.startswith('py-')]
    token = page.metadata._continue
    if not token:
        break
print(','.join(names))
`);
  const child = spawn(python, [script, s.kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, err);
  assert.equal(out.trim(), 'py-a,py-b,py-c');
});
