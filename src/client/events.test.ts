import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from 'kubernetes-types/core/v1.js';
import { FakeClock } from './clock.ts';
import { EventRecorder } from './events.ts';
import type { RestClient } from './rest.ts';
import { resourceRef } from './resource-ref.ts';
import { startApiServer, type TestApiServer } from './testing/apiserver.ts';
import { FaultTransport } from './testing/fault-transport.ts';

// The recorder against the real API server: what it stores is read back from the server's events API.
const eventsRef = resourceRef('v1', 'events');
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default', uid: 'u-1', resourceVersion: '7' } };
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'u-n' } };

interface Setup {
  api: TestApiServer;
  /** What the recorder sent. */
  wire: FaultTransport;
  client: RestClient;
  clock: FakeClock;
  rec: EventRecorder;
  events(): Promise<Event[]>;
}

async function setup(extra: { windowMs?: number } = {}): Promise<Setup> {
  const api = await startApiServer();
  let wire: FaultTransport | undefined;
  const client = api.client({ wrap: (t) => (wire = new FaultTransport(t)) });
  const reader = api.client();
  const clock = new FakeClock(Date.UTC(2024, 0, 2, 3, 4, 5));
  const rec = new EventRecorder({ client, component: 'kubelet', host: 'n1', clock, ...extra });
  const events = async () => (await reader.list<Event>(eventsRef, { namespace: 'default' })).items;
  return { api, wire: wire!, client, clock, rec, events };
}

test('identical events within the window bump count and lastTimestamp with a PATCH', async () => {
  const { api, wire, clock, rec, events: read } = await setup();
  try {
    rec.event(pod, 'Normal', 'Pulled', 'Successfully pulled image "nginx"');
    clock.step(2000);
    rec.event(pod, 'Normal', 'Pulled', 'Successfully pulled image "nginx"');
    clock.step(3000);
    rec.event(pod, 'Normal', 'Pulled', 'Successfully pulled image "nginx"');
    rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    await rec.flush();
    const events = await read();
    assert.equal(events.length, 2);
    const pulled = events.find((e) => e.reason === 'Pulled');
    assert.ok(pulled);
    assert.match(pulled.metadata.name ?? '', /^web-1\.[0-9a-f]+$/);
    assert.equal(pulled.metadata.namespace, 'default');
    assert.equal(pulled.count, 3);
    assert.equal(pulled.firstTimestamp, '2024-01-02T03:04:05Z');
    assert.equal(pulled.lastTimestamp, '2024-01-02T03:04:10Z');
    assert.equal(pulled.type, 'Normal');
    assert.deepEqual(pulled.involvedObject, { kind: 'Pod', apiVersion: 'v1', name: 'web-1', namespace: 'default', uid: 'u-1', resourceVersion: '7' });
    assert.deepEqual(pulled.source, { component: 'kubelet', host: 'n1' });
    assert.equal(pulled.reportingComponent, 'kubelet');
    assert.equal(pulled.reportingInstance, 'n1');
    const methods = wire.requests.map((r) => r.method);
    assert.deepEqual(methods, ['POST', 'PATCH', 'PATCH', 'POST']);
    assert.equal(wire.requests[1].headers['content-type'], 'application/strategic-merge-patch+json');
    const backoff = events.find((e) => e.reason === 'BackOff');
    assert.notEqual(backoff?.metadata.name, pulled.metadata.name);
  } finally {
    await api.stop();
  }
});

test('after the window, or when the Event is gone, a new Event is created', async () => {
  const { api, client, clock, rec, events: read } = await setup({ windowMs: 60_000 });
  try {
    rec.event(node, 'Warning', 'NodeNotReady', 'Node n1 status is now: NodeNotReady');
    await rec.flush();
    const first = (await read())[0];
    assert.equal(first.metadata.namespace, 'default', 'cluster-scoped objects get events in default');
    await client.delete(eventsRef, first.metadata.name ?? '', { namespace: 'default' });
    rec.event(node, 'Warning', 'NodeNotReady', 'Node n1 status is now: NodeNotReady');
    await rec.flush();
    const recreated = await read();
    assert.equal(recreated.length, 1);
    assert.equal(recreated[0].count, 2);
    clock.step(61_000);
    rec.event(node, 'Warning', 'NodeNotReady', 'Node n1 status is now: NodeNotReady');
    await rec.flush();
    const all = await read();
    assert.equal(all.length, 2);
    assert.deepEqual(all.map((e) => e.count).sort(), [1, 2]);
  } finally {
    await api.stop();
  }
});

test('similar events are combined and an event storm about one object is cut off by the spam filter', async () => {
  const { api, rec, events: read } = await setup();
  try {
    for (let i = 0; i < 40; i++) rec.event(pod, 'Normal', 'Spam', `message ${i}`);
    rec.event(node, 'Normal', 'Other', 'a different object is not affected');
    await rec.flush();
    const events = await read();
    const spam = events.filter((e) => e.reason === 'Spam');
    // 25 pass the filter: 9 distinct Events, then the 10th onwards combined into one (count 16)
    assert.equal(spam.reduce((n, e) => n + (e.count ?? 0), 0), 25);
    assert.equal(spam.length, 10);
    const combined = spam.find((e) => e.message?.startsWith('(combined from similar events): '));
    assert.equal(combined?.count, 16);
    assert.equal(combined?.message, '(combined from similar events): message 24');
    assert.equal(events.filter((e) => e.reason === 'Other').length, 1);
    assert.equal(new Set(events.map((e) => e.metadata.name)).size, 11, 'names are unique even within one millisecond');
  } finally {
    await api.stop();
  }
});
