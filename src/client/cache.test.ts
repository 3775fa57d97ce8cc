import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/object.ts';
import { Cache, Lister, byNamespace, byNodeName, byOwner, objectKey, splitKey } from './cache.ts';

const pod = (ns: string, name: string, node?: string, owner?: string, labels?: Record<string, string>): KubeObject => ({
  metadata: { namespace: ns, name, labels, ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner }] : undefined },
  spec: node ? { nodeName: node } : {},
});

test('keys and indexes follow every write', () => {
  assert.equal(objectKey(pod('ns', 'a')), 'ns/a');
  assert.equal(objectKey({ metadata: { name: 'node1' } }), 'node1');
  assert.deepEqual(splitKey('ns/a'), { namespace: 'ns', name: 'a' });
  assert.deepEqual(splitKey('node1'), { namespace: '', name: 'node1' });

  const c = new Cache();
  c.set(pod('ns', 'a', 'n1', 'rs1'));
  c.set(pod('ns', 'b', 'n1'));
  c.set(pod('other', 'c', 'n2', 'rs1'));
  assert.deepEqual(c.byIndex(byNodeName, 'n1').map(objectKey).sort(), ['ns/a', 'ns/b']);
  assert.deepEqual(c.byIndex(byOwner, 'rs1').map(objectKey).sort(), ['ns/a', 'other/c']);
  c.set(pod('ns', 'a', 'n2'));
  assert.deepEqual(c.byIndex(byNodeName, 'n1').map(objectKey), ['ns/b']);
  assert.deepEqual(c.byIndex(byOwner, 'rs1').map(objectKey), ['other/c']);
  c.delete('other/c');
  assert.deepEqual(c.byIndex(byOwner, 'rs1'), []);
  assert.deepEqual(c.byIndex(byNamespace, 'ns').map(objectKey).sort(), ['ns/a', 'ns/b']);
  assert.throws(() => c.byIndex('nope', 'x'));
  c.addIndexer('name', (o) => [o.metadata?.name ?? '']);
  assert.deepEqual(c.byIndex('name', 'b').map(objectKey), ['ns/b']);
});

test('lister: get, list by namespace and selector', () => {
  const c = new Cache();
  c.set(pod('ns', 'a', undefined, undefined, { app: 'web' }));
  c.set(pod('ns', 'b', undefined, undefined, { app: 'db' }));
  c.set(pod('x', 'c', undefined, undefined, { app: 'web' }));
  c.set({ metadata: { name: 'node1' } });
  const l = new Lister(c);
  assert.equal(l.get('ns', 'a')?.metadata?.name, 'a');
  assert.equal(l.get('', 'node1')?.metadata?.name, 'node1');
  assert.equal(l.list().length, 4);
  assert.deepEqual(l.list('ns', 'app=web').map(objectKey), ['ns/a']);
  assert.deepEqual(l.list(undefined, { matchLabels: { app: 'web' } }).map(objectKey).sort(), ['ns/a', 'x/c']);
  assert.deepEqual(l.list('x', (labels) => labels?.app === 'web').map(objectKey), ['x/c']);
  const bare = new Lister(new Cache({}));
  assert.deepEqual(bare.list('ns'), []);
});
