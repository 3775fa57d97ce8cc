import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestClient } from '../../client/rest.ts';
import { startApiServer, type TestApiServer } from '../../client/testing/apiserver.ts';
import { until } from '../../client/testing/until.ts';
import type { ServicePortInfo } from './model.ts';
import type { ProxyBackend, SyncStats } from './backend.ts';
import { Proxier, endpointSlicesRef, servicesRef } from './proxier.ts';
import { ep, slice, svc } from './fixtures.ts';
import { type FlowFilter, conntrackArgs } from './conntrack.ts';

interface Call {
  full: boolean;
  changed: Map<string, ServicePortInfo[]>;
  all?: Map<string, ServicePortInfo[]>;
}

class RecordingBackend implements ProxyBackend {
  readonly mode = 'recording';
  calls: Call[] = [];
  failNext = false;
  async sync(changed: Map<string, ServicePortInfo[]>, all: () => Map<string, ServicePortInfo[]>, full: boolean): Promise<SyncStats> {
    this.calls.push({ full, changed, all: full ? all() : undefined });
    if (this.failNext) {
      this.failNext = false;
      throw new Error('kernel said no');
    }
    return { full, commands: 0 };
  }
  async cleanup(): Promise<boolean> {
    return false;
  }
}

async function setup(clearFlows?: (f: FlowFilter[]) => Promise<void>): Promise<{ srv: TestApiServer; client: RestClient; backend: RecordingBackend; proxier: Proxier; ac: AbortController }> {
  const srv = await startApiServer();
  const client = srv.client();
  await client.create(servicesRef, svc('a', { ports: [{ name: 'http', port: 80 }] }), { namespace: 'default' });
  await client.create(endpointSlicesRef, slice('a', [ep('10.244.0.2')]), { namespace: 'default' });
  await client.create(servicesRef, svc('b', { clusterIP: '10.43.0.51', ports: [{ name: 'http', port: 80 }] }), { namespace: 'default' });
  const backend = new RecordingBackend();
  const ac = new AbortController();
  const proxier = new Proxier({ client, nodeName: 'n1', backend, signal: ac.signal, minSyncPeriodMs: 10, clearFlows });
  await proxier.start();
  return { srv, client, backend, proxier, ac };
}

test('the first sync is full and sees every service; a slice change re-syncs only its service', async () => {
  const { srv, client, backend, ac } = await setup();
  try {
    assert.equal(backend.calls.length, 1);
    const first = backend.calls[0]!;
    assert.equal(first.full, true);
    assert.deepEqual([...first.all!.keys()].sort(), ['default/a', 'default/b', 'default/kubernetes']);
    assert.deepEqual(first.all!.get('default/a')![0]!.endpoints.map((e) => e.ip), ['10.244.0.2']);
    await client.create(endpointSlicesRef, slice('b', [ep('10.244.0.3'), ep('10.244.0.4')]), { namespace: 'default' });
    await until(() => backend.calls.length === 2, 'a sync after the slice');
    const second = backend.calls[1]!;
    assert.equal(second.full, false);
    assert.deepEqual([...second.changed.keys()], ['default/b']);
    assert.deepEqual(second.changed.get('default/b')![0]!.endpoints.map((e) => e.ip), ['10.244.0.3', '10.244.0.4']);
    await client.delete(servicesRef, 'a', { namespace: 'default' });
    await until(() => backend.calls.length === 3, 'a sync after the delete');
    assert.deepEqual([...backend.calls[2]!.changed], [['default/a', []]], 'a deleted service syncs as no ports');
  } finally {
    ac.abort();
    client.close();
    await srv.stop();
  }
});

test('UDP: flows to a removed endpoint, and flows from before a service had endpoints, are cleared after the sync', async () => {
  const cleared: string[][] = [];
  const { srv, client, backend, ac } = await setup(async (f) => {
    cleared.push(f.map((x) => conntrackArgs(x).join(' ')));
  });
  try {
    const dnsPorts = [{ name: 'dns', port: 53, protocol: 'UDP' as const }];
    await client.create(servicesRef, svc('dns', { clusterIP: '10.43.0.10', ports: dnsPorts }), { namespace: 'default' });
    await until(() => backend.calls.length === 2, 'the service synced');
    await client.create(endpointSlicesRef, slice('dns', [ep('10.244.0.7'), ep('10.244.0.8')], [{ name: 'dns', port: 5353, protocol: 'UDP' }]), { namespace: 'default' });
    await until(() => cleared.length === 1, 'flows cleared once endpoints appeared');
    assert.deepEqual(cleared[0], ['-D -p udp --orig-dst 10.43.0.10 --orig-port-dst 53']);
    const sl = (await client.list(endpointSlicesRef, { namespace: 'default' })).items.find((x) => x.metadata?.name === 'dns-x')!;
    await client.update(endpointSlicesRef, { ...sl, endpoints: [ep('10.244.0.7')] } as typeof sl);
    await until(() => cleared.length === 2, 'flows to the removed endpoint cleared');
    assert.deepEqual(cleared[1], ['-D -p udp --orig-dst 10.43.0.10 --orig-port-dst 53 --dst-nat 10.244.0.8']);
  } finally {
    ac.abort();
    client.close();
    await srv.stop();
  }
});

test('after a failed sync the next one is full', async () => {
  const { srv, client, backend, proxier, ac } = await setup();
  const errors: unknown[] = [];
  proxier.on('syncError', (e) => errors.push(e));
  try {
    backend.failNext = true;
    await client.create(endpointSlicesRef, slice('b', [ep('10.244.0.3')]), { namespace: 'default' });
    await until(() => errors.length === 1, 'the failure reported');
    proxier.requestFullSync(); // not waiting for the 1 s retry
    await until(() => backend.calls.length === 3, 'the recovery sync');
    assert.equal(backend.calls[2]!.full, true);
    assert.deepEqual(backend.calls[2]!.all!.get('default/b')![0]!.endpoints.map((e) => e.ip), ['10.244.0.3']);
  } finally {
    ac.abort();
    client.close();
    await srv.stop();
  }
});
