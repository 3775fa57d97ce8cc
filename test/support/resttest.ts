// A conformance tester in the spirit of upstream's registry/rest/resttest: the same checks against any
// registered resource over HTTP — create, get, list, update (a stale resourceVersion is a 409, a no-op writes
// nothing), generation, dry-run, status isolation, delete, and a watch that sees every step. Each check
// throws an AssertionError naming the resource and the step.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import type { KubeObject } from '../../src/api/object.ts';
import type { ResourceDefinition } from '../../src/api/resources.ts';
import type { adminClient, RawResponse } from './http.ts';
import type { Fixture } from './resttest-fixtures.ts';
import { waitFor } from './wait.ts';

type Client = ReturnType<typeof adminClient>;
interface WatchEvent { type: string; object: KubeObject }

export function collectionPath(def: ResourceDefinition, namespace: string): string {
  const { group, version, resource, namespaced } = def.info;
  const root = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return `${root}${namespaced ? `/namespaces/${namespace}` : ''}/${resource}`;
}

/** A streaming watch: events are collected as they arrive until close(). */
function openWatch(c: Client, path: string): { events: WatchEvent[]; close(): void } {
  const events: WatchEvent[] = [];
  let buf = '';
  const req = request({ host: c.server.hostname, port: c.server.port, path, ca: c.ca, cert: c.cert, key: c.key }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) events.push(JSON.parse(line) as WatchEvent);
      }
    });
    res.on('error', () => {});
  });
  req.on('error', () => {});
  req.end();
  return { events, close: () => req.destroy() };
}

const json = (o: unknown) => JSON.stringify(o);

function expect(r: RawResponse, code: number, step: string): KubeObject {
  assert.equal(r.status, code, `${step}: ${r.body.toString().slice(0, 300)}`);
  return r.json<KubeObject>();
}

/** Reorders every object's keys (reversed): a semantic no-op. */
function reordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reordered);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reordered(x)]));
}

export async function runResttest(c: Client, def: ResourceDefinition, fx: Fixture, namespace: string, name: string): Promise<void> {
  const base = collectionPath(def, namespace);
  const item = `${base}/${name}`;
  const kind = `${def.info.resource}${def.info.group ? `.${def.info.group}` : ''}`;
  const step = (s: string) => `${kind}: ${s}`;
  const typeMeta = { apiVersion: def.info.group ? `${def.info.group}/${def.info.version}` : def.info.version, kind: def.info.kind };
  const fresh = (n: string): KubeObject => ({ ...typeMeta, ...fx.object(namespace), metadata: { name: n } });

  const listed = expect(await c.send('GET', base), 200, step('list before'));
  const startRV = (listed.metadata as { resourceVersion: string }).resourceVersion;
  const watch = openWatch(c, `${base}?watch=1&resourceVersion=${startRV}&fieldSelector=metadata.name=${name}`);
  try {
    // create (and a duplicate is AlreadyExists)
    const created = expect(await c.send('POST', base, json(fresh(name))), 201, step('create'));
    assert.ok(created.metadata?.uid && created.metadata.creationTimestamp && created.metadata.resourceVersion, step('create fills system metadata'));
    assert.equal(expect(await c.send('POST', base, json(fresh(name))), 409, step('duplicate create')).reason, 'AlreadyExists');
    assert.deepEqual(created.metadata.finalizers, fx.finalizers, step('create adds the finalizers admission adds, no others'));

    // get, list
    const got = expect(await c.send('GET', item), 200, step('get'));
    assert.equal(got.metadata?.resourceVersion, created.metadata.resourceVersion, step('get returns what create stored'));
    const items = (expect(await c.send('GET', base), 200, step('list')) as { items?: KubeObject[] }).items ?? [];
    assert.ok(items.some((i) => i.metadata?.name === name), step('list contains the new object'));

    // a no-op update (keys reordered) writes nothing
    const noop = expect(await c.send('PUT', item, json(reordered(got))), 200, step('no-op update'));
    assert.equal(noop.metadata?.resourceVersion, got.metadata?.resourceVersion, step('a no-op update keeps the resourceVersion'));

    // update, then the old resourceVersion is stale
    const labelled = structuredClone(got);
    labelled.metadata!.labels = { ...(labelled.metadata!.labels ?? {}), resttest: 'updated' };
    const updated = expect(await c.send('PUT', item, json(labelled)), 200, step('update'));
    assert.notEqual(updated.metadata?.resourceVersion, got.metadata?.resourceVersion, step('update writes a new resourceVersion'));
    assert.equal(expect(await c.send('PUT', item, json(labelled)), 409, step('update with a stale resourceVersion')).reason, 'Conflict');

    // generation: 1 on create where tracked, unchanged by metadata, +1 by a spec change
    let current = updated;
    if (created.metadata.generation !== undefined) {
      assert.equal(created.metadata.generation, 1, step('generation starts at 1'));
      assert.equal(updated.metadata?.generation, 1, step('a metadata change keeps generation'));
      assert.ok(fx.specChange, step('a kind that tracks generation needs a specChange fixture'));
      const changed = structuredClone(updated);
      fx.specChange!(changed);
      current = expect(await c.send('PUT', item, json(changed)), 200, step('spec update'));
      assert.equal(current.metadata?.generation, 2, step('a spec change bumps generation'));
    } else {
      assert.equal(updated.metadata?.generation, undefined, step('generation stays absent where not tracked'));
    }

    // dry-run writes nothing
    const ghost = `${name}-dry`;
    expect(await c.send('POST', `${base}?dryRun=All`, json(fresh(ghost))), 201, step('dry-run create'));
    assert.equal((await c.send('GET', `${base}/${ghost}`)).status, 404, step('dry-run create stores nothing'));
    const dry = structuredClone(current);
    dry.metadata!.labels = { ...(dry.metadata!.labels ?? {}), resttest: 'dry' };
    expect(await c.send('PUT', `${item}?dryRun=All`, json(dry)), 200, step('dry-run update'));
    expect(await c.send('DELETE', `${item}?dryRun=All`), 200, step('dry-run delete'));
    const after = expect(await c.send('GET', item), 200, step('get after dry runs'));
    assert.equal(after.metadata?.resourceVersion, current.metadata?.resourceVersion, step('dry runs write nothing'));

    if (def.subresources.status) current = await statusIsolation(c, item, fx, after, step);

    // delete (finishing a deletion its kind holds with spec finalizers through /finalize), then 404
    expect(await c.send('DELETE', item), 200, step('delete'));
    const left = await c.send('GET', item);
    if (left.status === 200 && def.subresources.finalize) {
      const ns = left.json<KubeObject>();
      expect(await c.send('PUT', `${item}/finalize`, json({ ...ns, spec: { finalizers: [] } })), 200, step('finalize'));
    }
    if (fx.finalizers?.length) {
      const held = expect(left, 200, step('a delete held by finalizers keeps the object'));
      assert.ok(held.metadata?.deletionTimestamp, step('the held object is terminating'));
      expect(await c.send('PUT', item, json({ ...held, metadata: { ...held.metadata, finalizers: [] } })), 200, step('finalizers removed'));
    }
    assert.equal((await c.send('GET', item)).status, 404, step('gone after delete'));

    // the watch saw every write, in order
    await waitFor(step('watch DELETED event'), () => watch.events.some((e) => e.type === 'DELETED'), 10_000, 20);
    const types = watch.events.map((e) => e.type);
    assert.equal(types[0], 'ADDED', step(`watch starts with ADDED (${types})`));
    assert.equal(types[types.length - 1], 'DELETED', step(`watch ends with DELETED (${types})`));
    assert.ok(types.includes('MODIFIED'), step(`watch saw the update (${types})`));
    const rvs = watch.events.map((e) => Number(e.object.metadata?.resourceVersion));
    assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b), step('watch events arrive in resourceVersion order'));
  } finally {
    watch.close();
  }
}

/** Status writes go through /status only; /status writes change status only (upstream's status strategy). */
async function statusIsolation(c: Client, item: string, fx: Fixture, current: KubeObject, step: (s: string) => string): Promise<KubeObject> {
  assert.ok(fx.status, step('a kind with a status subresource needs a status fixture'));
  const viaMain = { ...structuredClone(current), status: fx.status };
  const mainResult = expect(await c.send('PUT', item, json(viaMain)), 200, step('status via main endpoint'));
  assert.equal(json(mainResult.status), json(current.status), step('the main endpoint ignores status'));
  assert.equal(mainResult.metadata?.resourceVersion, current.metadata?.resourceVersion, step('a status-only change via main writes nothing'));

  const viaStatus = structuredClone(current);
  viaStatus.status = fx.status;
  viaStatus.metadata!.labels = { ...(viaStatus.metadata!.labels ?? {}), resttest: 'via-status' };
  fx.specChange?.(viaStatus);
  const statusResult = expect(await c.send('PUT', `${item}/status`, json(viaStatus)), 200, step('status update'));
  for (const [k, v] of Object.entries(fx.status!)) {
    assert.equal(json((statusResult.status as Record<string, unknown> | undefined)?.[k]), json(v), step(`/status writes status.${k}`));
  }
  assert.equal(statusResult.metadata?.labels?.resttest, current.metadata?.labels?.resttest, step('/status ignores labels'));
  assert.equal(json(statusResult.spec), json(current.spec), step('/status ignores spec'));
  assert.equal(statusResult.metadata?.generation, current.metadata?.generation, step('/status keeps generation'));
  return statusResult;
}
