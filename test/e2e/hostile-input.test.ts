// Hostile request bodies, organised by attack class, against an API server in this process. Every request must
// get a 4xx with a Status body (or a legitimate 2xx) — never a 5xx or a torn connection. After all of them the
// server still serves, a canary object that no request names is byte-for-byte unchanged, and Object.prototype
// in this (the server's) process has gained nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.ts';
import { adminClient, type RawResponse } from '../support/http.ts';
import { confusionCases, type OpenApiV2 } from '../support/schema-fields.ts';
import { resources } from '../../src/api/resources.ts';
import { encodeK8sProtobuf } from '../../src/api/protobuf/index.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Client = ReturnType<typeof adminClient>;

const ns = 'hostile';
const cms = `/api/v1/namespaces/${ns}/configmaps`;
const deps = `/apis/apps/v1/namespaces/${ns}/deployments`;
const json = (v: unknown): string => JSON.stringify(v);
const cm = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' }, ...extra });
const deployment = (name: string) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});
const types = {
  json: 'application/json', yaml: 'application/yaml', pb: 'application/vnd.kubernetes.protobuf',
  merge: 'application/merge-patch+json', smp: 'application/strategic-merge-patch+json', jp: 'application/json-patch+json', apply: 'application/apply-patch+yaml',
};

let s: TestServer;
let c: Client;
let canaryBefore: string;
const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();

/** Sends one hostile request; a 5xx, a non-Status error body or a reset fails the test right here. */
async function hostile(method: string, path: string, body: string | Buffer | undefined, contentType = types.json): Promise<RawResponse> {
  const r = await c.send(method, path, body, body === undefined ? {} : { 'Content-Type': contentType });
  const text = r.body.toString('utf8').slice(0, 300);
  assert.ok(r.status < 500, `${method} ${path} (${contentType}) answered ${r.status}: ${text}`);
  if (r.status >= 400) {
    const st = r.json<{ kind: string; code: number; status: string }>();
    assert.equal(st.kind, 'Status', `${method} ${path}: ${text}`);
    assert.equal(st.code, r.status);
  }
  return r;
}

function assertBadRequest(r: RawResponse, includes: string): void {
  const st = r.json<{ reason: string; message: string }>();
  assert.equal(r.status, 400, st.message);
  assert.equal(st.reason, 'BadRequest');
  assert.ok(st.message.includes(includes), `"${st.message}" does not contain "${includes}"`);
}

before(async () => {
  s = await startTestServer();
  c = adminClient(s.kubeconfig);
  for (const n of [ns, 'hostile-canary']) assert.equal((await c.send('POST', '/api/v1/namespaces', json({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } }))).status, 201);
  assert.equal((await c.send('POST', '/api/v1/namespaces/hostile-canary/configmaps', json(cm('canary', { metadata: { name: 'canary', labels: { keep: 'me' } } })))).status, 201);
  canaryBefore = (await c.send('GET', '/api/v1/namespaces/hostile-canary/configmaps/canary')).body.toString();
  assert.equal((await c.send('POST', cms, json(cm('target')))).status, 201);
  assert.equal((await c.send('POST', deps, json(deployment('target')))).status, 201);
});

after(async () => {
  try {
    assert.equal((await c.send('GET', '/healthz')).status, 200);
    assert.equal((await c.send('GET', '/api/v1/namespaces/hostile-canary/configmaps/canary')).body.toString(), canaryBefore);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  } finally {
    await s.stop();
  }
});

describe('prototype keys', () => {
  // `__proto__` and `constructor.prototype` at every depth of a ConfigMap and of a Deployment.
  const pollute = '{"polluted":"yes"}';
  const spots = (base: string): string[] => {
    const out: string[] = [];
    for (let i = 0; i < base.length; i++) {
      if (base[i] !== '{') continue;
      out.push(`${base.slice(0, i + 1)}"__proto__":${pollute},${base.slice(i + 1)}`);
      out.push(`${base.slice(0, i + 1)}"constructor":{"prototype":${pollute}},${base.slice(i + 1)}`);
    }
    return out;
  };

  test('in JSON and YAML creates and updates, and every patch type', async () => {
    for (const body of spots(json(cm('p1')))) {
      await hostile('POST', cms, body);
      await hostile('POST', cms, body.replace(/^\{/, '{ '), types.yaml); // JSON is YAML too
      await hostile('PUT', `${cms}/target`, body.replace('"p1"', '"target"'));
      await hostile('PATCH', `${cms}/target`, body.replace('"p1"', '"target"'), types.merge);
      await hostile('PATCH', `${cms}/target`, body.replace('"p1"', '"target"'), types.smp);
      await hostile('PATCH', `${cms}/target?fieldManager=m`, body.replace('"p1"', '"target"'), types.apply);
    }
    for (const body of spots(json(deployment('p2')))) {
      await hostile('POST', deps, body);
      await hostile('PATCH', `${deps}/target`, body.replace(/"p2"/g, '"target"'), types.smp);
      await hostile('PATCH', `${deps}/target/scale`, body, types.merge);
    }
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p3\n  __proto__:\n    polluted: yes\ndata:\n  constructor:\n    prototype:\n      polluted: yes\n';
    assertBadRequest(await hostile('POST', cms, yaml, types.yaml), '__proto__');
    await hostile('PATCH', `${cms}/target?fieldManager=m`, yaml.replace('p3', 'target'), types.apply);
  });

  test('in JSON-patch paths and values', async () => {
    for (const path of ['/__proto__/polluted', '/metadata/__proto__/polluted', '/constructor/prototype/polluted', '/data/__proto__', '/metadata/labels/__proto__']) {
      for (const op of ['add', 'replace', 'remove', 'test', 'move', 'copy']) {
        await hostile('PATCH', `${cms}/target`, json([{ op, path, from: '/data/a', value: 'yes' }]), types.jp);
      }
    }
    await hostile('PATCH', `${cms}/target`, `[{"op":"add","path":"/data/x","value":{"__proto__":${pollute}}}]`, types.jp);
  });

  test('in protobuf maps, DeleteOptions, continue tokens and the last-applied annotation', async () => {
    const data = JSON.parse('{"__proto__":"x","a":"b"}') as Record<string, string>;
    await hostile('POST', cms, Buffer.from(encodeK8sProtobuf({ ...cm('p4'), data })), types.pb);
    await hostile('DELETE', `${cms}/nope`, `{"__proto__":${pollute},"propagationPolicy":"Background"}`);
    const token = Buffer.from(`{"v":"meta.k8s.io/v1","rv":1,"start":"/registry/configmaps/${ns}/","__proto__":${pollute}}`).toString('base64url');
    await hostile('GET', `${cms}?limit=1&continue=${token}`, undefined);
    const lastApplied = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"la","__proto__":${pollute}},"data":{"constructor":{"prototype":${pollute}}}}`;
    const la = cm('la', { metadata: { name: 'la', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } } });
    assert.equal((await hostile('POST', cms, json(la))).status, 201);
    await hostile('PATCH', `${cms}/la?fieldManager=kubectl&force=true`, json(cm('la', { data: { a: 'c' } })), types.apply);
  });
});

describe('depth bombs (50,000 levels)', () => {
  const deep = (n: number): string => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  test('create, update, merge, strategic, json-patch, apply and YAML answer 400', async () => {
    const bomb = json(cm('deep')).replace('{"a":"b"}', deep(50_000));
    assertBadRequest(await hostile('POST', cms, bomb), 'exceeded max depth');
    assertBadRequest(await hostile('PUT', `${cms}/target`, bomb.replace('"deep"', '"target"')), 'exceeded max depth');
    assertBadRequest(await hostile('PATCH', `${cms}/target`, `{"data":${deep(50_000)}}`, types.merge), 'exceeded max depth');
    assertBadRequest(await hostile('PATCH', `${cms}/target`, `{"data":${deep(50_000)}}`, types.smp), 'exceeded max depth');
    assertBadRequest(await hostile('PATCH', `${cms}/target`, `[{"op":"add","path":"/data/x","value":${deep(50_000)}}]`, types.jp), 'exceeded max depth');
    const flow = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
    assertBadRequest(await hostile('POST', cms, flow, types.yaml), 'exceeded max depth');
    assertBadRequest(await hostile('PATCH', `${cms}/target?fieldManager=m`, flow, types.apply), 'exceeded max depth');
  });
});

describe('type confusion, generated from the served OpenAPI document', () => {
  test('every field of every creatable kind, given a value of the wrong JSON type, is a 400 decode error', async () => {
    const doc = (await c.send('GET', '/openapi/v2')).json<OpenApiV2>();
    let checked = 0;
    for (const r of resources.filter((x) => x.verbs.includes('create') && !x.virtual)) {
      const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
      const root = Object.keys(doc.definitions).find((d) => d.endsWith(`.${r.version}.${r.kind}`) && (r.group === '' ? d.startsWith('io.k8s.api.core.') : d.includes(`.${r.group.split('.')[0]}.`)));
      assert.ok(root, `no definition for ${apiVersion} ${r.kind}`);
      const cases = confusionCases(doc, root);
      assert.ok(cases.length > 3, `${r.kind}: only ${cases.length} fields found`);
      const base = r.group ? `/apis/${r.group}/${r.version}` : '/api/v1';
      const url = `${base}${r.namespaced ? `/namespaces/${ns}` : ''}/${r.resource}?dryRun=All`;
      for (const k of cases) {
        const body: Record<string, unknown> = { ...k.body, apiVersion, kind: r.kind };
        if (k.path[0] !== 'metadata') body.metadata = { name: 'confused' };
        const res = await hostile('POST', url, json(body));
        assertBadRequest(res, `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: `);
        assert.ok(res.json<{ message: string }>().message.includes(k.expect), `${r.kind} ${k.path.join('.')}: ${res.json<{ message: string }>().message} lacks ${k.expect}`);
        checked++;
      }
    }
    assert.ok(checked > 500, `only ${checked} fields checked`);
  });

  test("upstream's exact words for a map value and for containerPort \"eighty\" (issue 7 item 4)", async () => {
    const r1 = await hostile('POST', cms, json(cm('typed', { data: { a: 1 } })));
    assert.equal(r1.json<{ message: string }>().message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 'eighty' }] }] } };
    const r2 = await hostile('POST', `/api/v1/namespaces/${ns}/pods`, json(pod));
    assert.equal(r2.json<{ message: string }>().message, 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32');
  });

  test('patches are checked after they apply: 422 naming the patch', async () => {
    for (const [type, body] of [[types.merge, '{"data":{"a":1}}'], [types.smp, '{"data":{"a":true}}'], [types.jp, '[{"op":"add","path":"/data/x","value":{}}]']]) {
      const r = await hostile('PATCH', `${cms}/target`, body, type);
      assert.equal(r.status, 422, r.body.toString());
      assert.match(r.json<{ message: string }>().message, /^ "" is invalid: patch: Invalid value: .*json: cannot unmarshal (number|bool|object) into Go struct field ConfigMap.data of type string$/);
    }
    const r = await hostile('PATCH', `${cms}/target?fieldManager=m`, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: target}\ndata: {a: [1]}\n', types.apply);
    assertBadRequest(r, 'failed to create typed patch object (/v1, Kind=ConfigMap): json: cannot unmarshal array');
  });
});

describe('numbers, unicode and duplicate keys', () => {
  const pod = (port: unknown, extra: Record<string, unknown> = {}) => json({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'n' }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: port }] }], ...extra } });
  const pods = `/api/v1/namespaces/${ns}/pods?dryRun=All`;
  test('1e400, -0 and integers beyond int32/int64', async () => {
    assertBadRequest(await hostile('POST', pods, pod(80).replace(':80', ':1e400')), 'cannot unmarshal number');
    assert.equal((await hostile('POST', pods, pod(80).replace(':80', ':-0'))).status, 422); // decodes to 0: validation's
    assertBadRequest(await hostile('POST', pods, pod(2 ** 31)), `cannot unmarshal number ${2 ** 31} into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32`);
    assertBadRequest(await hostile('POST', pods, pod(80, { activeDeadlineSeconds: 1e19 })), 'of type int64');
    assert.notEqual((await hostile('POST', pods, pod(80, { terminationGracePeriodSeconds: 2 ** 53 }))).status, 400); // fits int64
    assertBadRequest(await hostile('POST', pods, pod(80.5)), 'cannot unmarshal number 80.5');
  });

  test('lone surrogates, NUL and overlong names', async () => {
    for (const name of ['\\ud800', 'a\\u0000b', 'x'.repeat(300), '..', '../../etc']) {
      assert.equal((await hostile('POST', cms, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"}}`)).status, 422, name);
    }
    const odd = await hostile('POST', cms, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"u","annotations":{"a":"\\ud800\\u0000"}},"data":{"k":"\\udfff"}}');
    assert.equal(odd.status, 201);
    await hostile('POST', cms, Buffer.concat([Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bytes"},"data":{"k":"'), Buffer.from([0xff, 0xc0, 0x80]), Buffer.from('"}}')]));
  });

  test('duplicate keys: last wins, refused under fieldValidation=Strict', async () => {
    const dup = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d1","name":"d2"}}';
    const lax = await hostile('POST', `${cms}?dryRun=All`, dup);
    assert.equal(lax.json<{ metadata: { name: string } }>().metadata.name, 'd2');
    assertBadRequest(await hostile('POST', `${cms}?dryRun=All&fieldValidation=Strict`, dup), 'duplicate field "name"');
    assertBadRequest(await hostile('POST', `${cms}?dryRun=All&fieldValidation=Strict`, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n', types.yaml), 'strict decoding error: yaml: unmarshal errors:\n  line 5: key "name" already set in map');
  });
});

describe('YAML: aliases and tags', () => {
  test('an alias bomb and unknown tags are 400s; merge keys still work', async () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\nx:\n${laughs.map((l) => `  ${l}`).join('\n')}\n`;
    assertBadRequest(await hostile('POST', cms, bomb, types.yaml), 'excessive aliasing');
    assertBadRequest(await hostile('PATCH', `${cms}/target?fieldManager=m`, bomb.replace('lol}', 'target}'), types.apply), 'excessive aliasing');
    for (const tag of ['!!js/function', '!foo', '!!python/object:os.system']) {
      assertBadRequest(await hostile('POST', cms, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\ndata:\n  a: ${tag} x\n`, types.yaml), 'unknown tag');
    }
    const merged = await hostile('POST', `${cms}?dryRun=All`, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\nbase: &b {a: "1"}\ndata:\n  <<: *b\n  c: "2"\n', types.yaml);
    assert.deepEqual(merged.json<{ data: unknown }>().data, { a: '1', c: '2' });
  });
});

describe('protobuf', () => {
  const valid = Buffer.from(encodeK8sProtobuf(cm('pb')));
  test('wrong lengths, unknown fields and wrong wire types are 4xx, never 5xx', async () => {
    const bodies: Buffer[] = [];
    for (let i = 4; i < valid.length; i++) {
      bodies.push(valid.subarray(0, i)); // truncated everywhere
      for (const b of [0x00, 0x7f, 0xff]) {
        const m = Buffer.from(valid);
        m[i] = b; // lengths, tags and wire types corrupted byte by byte
        bodies.push(m);
      }
    }
    bodies.push(Buffer.concat([valid, Buffer.from([0xf8, 0xff, 0xff, 0xff, 0x0f, 0x01])])); // unknown field 2^28
    let rejected = 0;
    for (const b of bodies) if ((await hostile('POST', `${cms}?dryRun=All`, b, types.pb)).status >= 400) rejected++;
    assert.ok(rejected > bodies.length / 2, `only ${rejected} of ${bodies.length} corrupted bodies were refused`);
  });
});

describe('paths and odd requests', () => {
  test('encoded dots and slashes never reach another object', async () => {
    for (const name of ['..%2Fcanary', '%2e%2e%2fcanary', '%252e%252e%252fcanary', '..%2F..%2Fhostile-canary%2Fconfigmaps%2Fcanary', '%2F', '%00']) {
      for (const [method, body] of [['GET', undefined], ['PUT', json(cm('x'))], ['PATCH', '{}'], ['DELETE', undefined]] as const) {
        const r = await hostile(method, `${cms}/${name}`, body, method === 'PATCH' ? types.merge : types.json);
        assert.ok(r.status >= 400, `${method} ${name}: ${r.status}`);
      }
    }
    await hostile('GET', `/api/v1/namespaces/..%2Fhostile-canary/configmaps/canary`, undefined);
    await hostile('DELETE', `/api/v1/namespaces/hostile%2Fconfigmaps%2F..%2F..%2Fhostile-canary/configmaps/canary`, undefined);
  });

  test('a JSON-patch body of null changes nothing; an empty one is a 400', async () => {
    const before = (await c.send('GET', `${cms}/target`)).json<{ data: unknown }>().data;
    const r = await hostile('PATCH', `${cms}/target`, 'null', types.jp);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json<{ data: unknown }>().data, before);
    assert.equal((await hostile('PATCH', `${cms}/target`, '', types.jp)).status, 400);
  });

  test('a body of another kind is refused as upstream refuses it (issue 7 item 7)', async () => {
    const podYaml = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: valid-pod\nspec:\n  containers:\n  - name: c\n    image: nginx\n';
    const asJson = await hostile('POST', '/api/v1/namespaces', podYaml, types.json);
    assertBadRequest(asJson, "the object provided is unrecognized (must be of type Namespace): couldn't get version/kind; json parse error: invalid character 'a' looking for beginning of value (");
    const pod = json({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'valid-pod' } });
    assertBadRequest(await hostile('POST', '/api/v1/namespaces', pod), 'Pod in version "v1" cannot be handled as a Namespace: converting (v1.Pod) to (core.Namespace): unknown conversion');
    assertBadRequest(await hostile('POST', '/api/v1/namespaces', podYaml, types.yaml), 'Pod in version "v1" cannot be handled as a Namespace: converting (v1.Pod) to (core.Namespace)');
    assertBadRequest(await hostile('POST', cms, json({ apiVersion: 'v1', kind: 'Nonsense', metadata: { name: 'n' } })), 'Nonsense in version "v1" cannot be handled as a ConfigMap: no kind "Nonsense" is registered for version "v1"');
  });

  test('managedFields with malformed field paths are not a server error', async () => {
    const body = cm('target', { metadata: { name: 'target', managedFields: [{ manager: 'x', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'k:{bad': {}, 'v:nope': {}, 'f:a': {} } } }] } });
    await hostile('PUT', `${cms}/target`, json(body));
    await hostile('PATCH', `${cms}/target?fieldManager=y`, json(cm('target', { data: { a: 'z' } })), types.apply);
  });
});

describe('real kubectl', () => {
  test('create --raw of a YAML Pod to the namespaces collection, and containerPort "eighty"', async () => {
    const file = join(s.dataDir, 'valid-pod.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: valid-pod\nspec:\n  containers:\n  - name: c\n    image: nginx\n    ports:\n    - containerPort: 80\n');
    const raw = await s.kubectl(['create', '--raw', '/api/v1/namespaces', '-f', file]);
    assert.notEqual(raw.code, 0);
    assert.match(raw.stderr, /the object provided is unrecognized \(must be of type Namespace\)/);
    writeFileSync(file, readFileSync(file, 'utf8').replace('containerPort: 80', 'containerPort: eighty'));
    const typed = await s.kubectl(['create', '--validate=false', '-n', ns, '-f', file]);
    assert.notEqual(typed.code, 0);
    assert.match(typed.stderr, /cannot unmarshal string into Go struct field ContainerPort\.spec\.containers\.ports\.containerPort of type int32/);
  });
});
