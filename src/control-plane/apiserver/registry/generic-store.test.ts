import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../../store/sqlite.ts';
import { findDefinition } from '../../../api/resources.ts';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { updateManagedFields } from '../patch/field-manager.ts';
import { GenericStore, type ApiWatchEvent } from './generic-store.ts';

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-gs-'));
  const backend = openSqliteStore(join(dir, 'db'));
  const store = new GenericStore(findDefinition('', 'v1', 'configmaps')!, backend);
  return {
    store,
    backend,
    async close() {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });
const ctx = () => ({ dryRun: false, now: new Date() });

test('a watch from a compacted revision ends with an ERROR event, 410 Expired', async () => {
  const f = fixture();
  try {
    const first = await f.store.create('default', cm('a'), ctx());
    for (let i = 0; i < 5; i++) await f.store.create('default', cm(`b${i}`), ctx());
    await f.backend.compact(await f.backend.currentRevision());
    const abort = new AbortController();
    const events: ApiWatchEvent[] = [];
    for await (const ev of f.store.watch('default', { resourceVersion: first.metadata!.resourceVersion, signal: abort.signal })) {
      events.push(ev);
      break;
    }
    abort.abort();
    assert.equal(events[0].type, 'ERROR');
    const status = events[0].object as unknown as { code: number; reason: string; message: string };
    assert.equal(status.code, 410);
    assert.equal(status.reason, 'Expired');
    assert.match(status.message, /^too old resource version: \d+ \(\d+\)$/);
  } finally {
    await f.close();
  }
});

test('watch with resourceVersion "0" starts with the current objects as ADDED, then live events', async () => {
  const f = fixture();
  try {
    await f.store.create('default', cm('x'), ctx());
    const abort = new AbortController();
    const seen: string[] = [];
    // the writes below wait until the watch has delivered its initial state, so they are live events
    let initialSeen!: () => void;
    const initial = new Promise<void>((resolve) => (initialSeen = resolve));
    const done = (async () => {
      for await (const ev of f.store.watch('default', { resourceVersion: '0', signal: abort.signal })) {
        seen.push(`${ev.type} ${ev.object.metadata?.name}`);
        if (seen.length === 1) initialSeen();
        if (seen.length === 3) break;
      }
    })();
    await Promise.race([initial, done]);
    await f.store.create('default', cm('y'), ctx());
    await f.store.delete('default', 'x', {}, ctx());
    await done;
    abort.abort();
    assert.deepEqual(seen, ['ADDED x', 'ADDED y', 'DELETED x']);
  } finally {
    await f.close();
  }
});

test('an update with no change keeps the resourceVersion', async () => {
  const f = fixture();
  try {
    const created = await f.store.create('default', cm('same'), ctx());
    const { object } = await f.store.guaranteedUpdate('default', 'same', (cur) => cur!, ctx());
    assert.equal(object.metadata!.resourceVersion, created.metadata!.resourceVersion);
    // an empty list where there was none is no change either (upstream: a nil and an empty slice encode alike)
    const empty = await f.store.guaranteedUpdate('default', 'same', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: [] } }), ctx());
    assert.equal(empty.object.metadata!.resourceVersion, created.metadata!.resourceVersion);
    // while a real change is one
    const changed = await f.store.guaranteedUpdate('default', 'same', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: ['x/y'] } }), ctx());
    assert.notEqual(changed.object.metadata!.resourceVersion, created.metadata!.resourceVersion);
  } finally {
    await f.close();
  }
});

test('an idle watch asked for bookmarks gets BOOKMARK events carrying the latest revision', async () => {
  const f = fixture();
  try {
    const a = await f.store.create('default', cm('bm'), ctx());
    // A write elsewhere moves the store's revision past the last event this watch will see.
    const other = new GenericStore(findDefinition('', 'v1', 'secrets')!, f.backend);
    const s = await other.create('default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }, ctx());
    const abort = new AbortController();
    let bookmark: ApiWatchEvent | undefined;
    for await (const ev of f.store.watch('default', { resourceVersion: a.metadata!.resourceVersion, bookmarkIntervalMs: 50, signal: abort.signal })) {
      if (ev.type === 'BOOKMARK') {
        bookmark = ev;
        break;
      }
    }
    abort.abort();
    assert.equal(bookmark?.object.kind, 'ConfigMap');
    assert.ok(Number(bookmark!.object.metadata!.resourceVersion) >= Number(s.metadata!.resourceVersion));
  } finally {
    await f.close();
  }
});

test('a generateName that collides is retried with a fresh suffix', async () => {
  const f = fixture();
  const originalRandom = Math.random;
  try {
    await f.store.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'g-bbbbb' } }, ctx());
    // The first suffix drawn spells "bbbbb", which is taken; later draws are random again.
    let draws = 0;
    Math.random = () => (draws++ < 5 ? 0 : originalRandom());
    const made = await f.store.create('default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'g-' } }, ctx());
    assert.ok(draws > 5, 'a second suffix was drawn');
    assert.notEqual(made.metadata!.name, 'g-bbbbb');
    assert.match(made.metadata!.name!, /^g-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  } finally {
    Math.random = originalRandom;
    await f.close();
  }
});

test("a create's managedFields are the request's, defaulted: what admission adds (a pod's token volume) is nobody's", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-gs-'));
  const backend = openSqliteStore(join(dir, 'db'));
  try {
    const pods = new GenericStore(findDefinition('', 'v1', 'pods')!, backend);
    const now = new Date();
    const track = (old: KubeObject | undefined, updated: KubeObject) =>
      updateManagedFields({ old, updated, manager: 'test', operation: 'Update', now });
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'pause' }] } };
    const created = (await pods.create('default', pod, { dryRun: false, now, track })) as Pod & KubeObject;
    // admission did its work ...
    assert.match(created.spec?.volumes?.[0]?.name ?? '', /^kube-api-access-/);
    assert.equal(created.spec?.tolerations?.length, 2);
    // ... and owns none of it, as upstream's create handler records fields before admission
    const fields = created.metadata?.managedFields?.[0]?.fieldsV1 as { 'f:spec': Record<string, unknown> };
    const spec = fields['f:spec'];
    assert.ok(spec['f:containers'], 'the request\'s containers are owned');
    assert.ok(spec['f:dnsPolicy'], 'defaulted fields are owned');
    for (const added of ['f:volumes', 'f:tolerations', 'f:serviceAccountName', 'f:priority']) assert.equal(spec[added], undefined, added);
    const container = (spec['f:containers'] as Record<string, Record<string, unknown>>)['k:{"name":"c"}'];
    assert.equal(container['f:volumeMounts'], undefined);
  } finally {
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
