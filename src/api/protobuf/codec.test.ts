// The codec on its own: recorded kubectl bodies, round trips of every supported kind, Go's zero-value and
// presence rules, the apimachinery JSON shapes, and hostile input (which must only ever raise ApiError 400).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { ApiError } from '../errors.ts';
import { decodeK8sProtobuf, encodeK8sProtobuf, protobufKinds, protobufSupports } from './index.ts';
import { objects } from './codec.fixtures.ts';

/** Builds an envelope around hand-written message bytes. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(10).fork().uint32(10).string(apiVersion).uint32(18).string(kind).ldelim();
  w.uint32(18).bytes(raw);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), w.finish()]);
}

function message(build: (w: protobuf.Writer) => void): Uint8Array {
  const w = protobuf.Writer.create();
  build(w);
  return w.finish();
}

function rejects400(bytes: Uint8Array): void {
  assert.throws(() => decodeK8sProtobuf(bytes), (err: unknown) => err instanceof ApiError && err.code === 400);
}

/** Decodes, allowing only success or ApiError 400. */
function decodeOrBadRequest(bytes: Uint8Array): void {
  try {
    decodeK8sProtobuf(bytes);
  } catch (err) {
    assert.ok(err instanceof ApiError, `non-ApiError thrown: ${String(err)}`);
    assert.equal(err.code, 400);
  }
}

describe('protobuf codec', () => {
  it('decodes the bodies kubectl 1.32/1.33 were recorded sending', () => {
    // Section name and base64 body per line, recorded by scripts/record-fixtures.ts from kubectl's requests.
    const log = readFileSync(new URL('../../../test/fixtures/kubectl-protobuf-bodies.txt', import.meta.url), 'latin1');
    const bodies = log.trim().split('\n').map((line) => decodeK8sProtobuf(Buffer.from(line.split('\t')[1], 'base64')));
    assert.ok(bodies.length >= 4);
    assert.deepEqual(bodies.find((b) => b.kind === 'Namespace'), {
      apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo' }, spec: {}, status: {},
    });
    assert.deepEqual(bodies.find((b) => b.kind === 'Service'), {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 's1', labels: { app: 's1' } },
      spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 's1' }, type: 'ClusterIP' },
      status: { loadBalancer: {} },
    });
    const deploy = bodies.find((b) => b.kind === 'Deployment' && b.metadata?.name === 'nginx2');
    assert.deepEqual((deploy?.spec as { replicas: number }).replicas, 4);
  });

  for (const obj of objects) {
    it(`round-trips ${obj.apiVersion} ${obj.kind}`, () => {
      const bytes = encodeK8sProtobuf(obj);
      assert.deepEqual(decodeK8sProtobuf(bytes), obj);
    });
  }

  it('lists its kinds and covers the fixtures', () => {
    const kinds = protobufKinds();
    for (const k of ['v1/Pod', 'apps/v1/Deployment', 'v1/Secret', 'policy/v1/Eviction', 'v1/PodList']) assert.ok(kinds.includes(k), k);
    for (const o of objects) assert.ok(protobufSupports(o.apiVersion ?? '', o.kind ?? ''), `${o.apiVersion} ${o.kind}`);
    assert.ok(protobufSupports('apps/v1', 'DeleteOptions'), 'DeleteOptions under any group version');
    assert.equal(protobufSupports('batch/v1', 'Job'), false);
  });

  it('drops zero scalars of non-pointer fields but keeps pointer zeros, like Go JSON', () => {
    // PodSpec: hostNetwork=11 false, nodeName=10 "", automountServiceAccountToken=21 false (pointer),
    // terminationGracePeriodSeconds=4 0 (pointer).
    const spec = message((w) => w.uint32(11 << 3).bool(false).uint32((10 << 3) | 2).string('')
      .uint32(21 << 3).bool(false).uint32(4 << 3).int64(0));
    const pod = message((w) => w.uint32(10).bytes(new Uint8Array(0)).uint32(18).bytes(spec).uint32(26).bytes(new Uint8Array(0)));
    assert.deepEqual(decodeK8sProtobuf(envelope('v1', 'Pod', pod)), {
      apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { terminationGracePeriodSeconds: 0, automountServiceAccountToken: false }, status: {},
    });
  });

  it('shapes Time, MicroTime, IntOrString and Quantity as the JSON form does', () => {
    // ObjectMeta creationTimestamp=8 as an empty Time (Go's zero time) and deletionTimestamp=9 with nanos.
    const ts = message((w) => w.uint32(8).int64(1704164645).uint32(16).int32(999_999_999));
    const meta = message((w) => w.uint32((8 << 3) | 2).bytes(new Uint8Array(0)).uint32((9 << 3) | 2).bytes(ts));
    const leaseSpec = message((w) => w.uint32((4 << 3) | 2).bytes(ts));
    const lease = message((w) => w.uint32(10).bytes(meta).uint32(18).bytes(leaseSpec));
    assert.deepEqual(decodeK8sProtobuf(envelope('coordination.k8s.io/v1', 'Lease', lease)), {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { deletionTimestamp: '2024-01-02T03:04:05Z' },
      spec: { renewTime: '2024-01-02T03:04:05.999999Z' },
    });
    // ServicePort targetPort=4: a zero IntOrString (Go always writes it) is absent; strings stay strings.
    const zeroPort = message((w) => w.uint32(24).int32(80).uint32(34).fork().uint32(8).int64(0).uint32(16).int32(0).uint32(26).string('').ldelim());
    const namedPort = message((w) => w.uint32(24).int32(81).uint32(34).fork().uint32(8).int64(1).uint32(26).string('http').ldelim());
    const svc = message((w) => w.uint32(18).fork().uint32(10).bytes(zeroPort).uint32(10).bytes(namedPort).ldelim());
    assert.deepEqual(decodeK8sProtobuf(envelope('v1', 'Service', svc)).spec, { ports: [{ port: 80 }, { port: 81, targetPort: 'http' }] });
  });

  it('reads packed repeated scalars and skips unknown fields', () => {
    const psc = message((w) => w.uint32((4 << 3) | 2).fork().int64(1).int64(2).int64(300).ldelim());
    const spec = message((w) => w.uint32((14 << 3) | 2).bytes(psc).uint32((999 << 3) | 2).string('future').uint32(1000 << 3).uint64(7));
    const pod = message((w) => w.uint32(18).bytes(spec).uint32((77 << 3) | 5).fixed32(1));
    assert.deepEqual(decodeK8sProtobuf(envelope('v1', 'Pod', pod)).spec, { securityContext: { supplementalGroups: [1, 2, 300] } });
  });

  it('answers 400 for a missing prefix, missing or unknown kind and wrong wire types', () => {
    rejects400(new Uint8Array(0));
    rejects400(Buffer.from('{"kind":"Pod"}'));
    rejects400(envelope('v1', '', new Uint8Array(0)));
    rejects400(envelope('batch/v1', 'Job', new Uint8Array(0)));
    rejects400(envelope('v1', 'Pod', message((w) => w.uint32(1 << 3).uint32(5)))); // metadata as a varint
    rejects400(envelope('v1', 'Pod', message((w) => w.uint32(0).uint32(5)))); // field number 0
    const fields = message((w) => w.uint32(10).string('{not json'));
    const mf = message((w) => w.uint32((7 << 3) | 2).bytes(fields));
    rejects400(envelope('v1', 'Pod', message((w) => w.uint32(10).fork().uint32((17 << 3) | 2).bytes(mf).ldelim())));
  });

  it('answers 400 for every truncation of real bodies', () => {
    for (const obj of objects) {
      const bytes = encodeK8sProtobuf(obj);
      for (let n = 0; n < bytes.length; n++) decodeOrBadRequest(bytes.subarray(0, n));
    }
  });

  it('never throws anything but ApiError 400 on random or mutated input', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const samples = objects.map((o) => encodeK8sProtobuf(o));
    for (let i = 0; i < 3000; i++) {
      const random = Uint8Array.from({ length: rand(200) }, () => rand(256));
      decodeOrBadRequest(Buffer.concat([Buffer.from('k8s\0', 'latin1'), random]));
      decodeOrBadRequest(envelope('v1', 'Pod', random));
      const mutated = Uint8Array.from(samples[i % samples.length]);
      for (let k = 0; k < 1 + rand(4); k++) mutated[4 + rand(mutated.length - 4)] = rand(256);
      decodeOrBadRequest(mutated);
    }
  });

  it('answers 400 for hostile nesting instead of overflowing the stack', () => {
    const depth = 200_000;
    const groups = Buffer.concat([Buffer.alloc(depth, (5 << 3) | 3), Buffer.alloc(depth, (5 << 3) | 4)]);
    // Deeply nested unknown groups are the one recursion an attacker controls (the schema has no cycles).
    rejects400(envelope('v1', 'Pod', groups));
  });

  it('refuses to encode unknown kinds (406) and mistyped values (500)', () => {
    assert.throws(() => encodeK8sProtobuf({ apiVersion: 'batch/v1', kind: 'Job' }), (e: unknown) => e instanceof ApiError && e.code === 406);
    assert.throws(() => encodeK8sProtobuf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 5 as unknown as string } }),
      (e: unknown) => e instanceof ApiError && e.code === 500 && /metadata\.name/.test(e.message));
  });
});
