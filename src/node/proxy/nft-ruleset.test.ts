import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCommand } from './nft.ts';
import { servicePorts } from './model.ts';
import { desiredState, diffCommands, renderRuleset, serviceState } from './nft-ruleset.ts';
import { ep, slice, svc } from './fixtures.ts';

const o = { table: 'skiff-unit', clusterCIDR: '10.244.0.0/16' };
const web = svc('web', { ports: [{ name: 'http', port: 80 }] });
const three = slice('web', [ep('10.244.0.2'), ep('10.244.0.3'), ep('10.244.0.4')]);

const chainsLike = (state: ReturnType<typeof desiredState>, prefix: string): [string, string[]][] =>
  [...state.chains].filter(([name]) => new RegExp(`^${prefix}[0-9A-F]{8}-`).test(name));

test('a service with endpoints: clusterIP element → service chain → random dnat over every endpoint', () => {
  const s = desiredState(servicePorts(web, [three], 'n1'), o);
  const [[svcChain, svcRules]] = chainsLike(s, 'service-');
  assert.equal(s.maps.get('service-ips')!.get('10.43.0.50 . tcp . 80'), `goto ${svcChain}`);
  assert.deepEqual(svcRules.map((r) => r.replace(/-[0-9A-F]{8}-/g, '-H-')), [
    'ip daddr 10.43.0.50 ip saddr != 10.244.0.0/16 jump mark-for-masquerade',
    'goto cluster-H-default/web/tcp/http',
  ]);
  const [[, cluster]] = chainsLike(s, 'cluster-');
  assert.match(cluster[0]!, /^numgen random mod 3 vmap \{ 0 : goto endpoint-\S+__10\.244\.0\.2\/8080 , 1 : .*__10\.244\.0\.3\/8080 , 2 : .*__10\.244\.0\.4\/8080 \}$/);
  const dnats = chainsLike(s, 'endpoint-').map(([, rules]) => rules.at(-1));
  assert.deepEqual(dnats, ['10.244.0.2', '10.244.0.3', '10.244.0.4'].map((ip) => `meta l4proto tcp dnat to ${ip}:8080`));
  assert.equal(s.maps.get('no-endpoint-services')!.size, 0);
});

test('no endpoints: no chains, the address and node port go to the reject chain', () => {
  const np = svc('np', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
  const s = serviceState(servicePorts(np, [slice('np', [])], 'n1'), o);
  assert.equal(s.chains.size, 0);
  assert.equal(s.maps.get('no-endpoint-services')!.get('10.43.0.50 . tcp . 80'), 'goto reject-chain');
  assert.equal(s.maps.get('no-endpoint-nodeports')!.get('tcp . 30080'), 'goto reject-chain');
});

test('externalTrafficPolicy Local: external traffic only to local endpoints, pods and the host to all; none local drops', () => {
  const lb = svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30081 }] },
    { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } });
  const s = serviceState(servicePorts(lb, [slice('lb', [ep('10.244.0.2', 'n1'), ep('10.244.1.2', 'n2')])], 'n1'), o);
  const [[extName, ext]] = chainsLike(s, 'external-');
  assert.equal(s.maps.get('service-ips')!.get('192.0.2.1 . tcp . 80'), `goto ${extName}`);
  assert.equal(s.maps.get('service-nodeports')!.get('tcp . 30081'), `goto ${extName}`);
  assert.match(ext[0]!, /^ip saddr 10\.244\.0\.0\/16 goto cluster-/);
  assert.match(ext.at(-1)!, /^goto local-/);
  const [[, local]] = chainsLike(s, 'local-');
  assert.match(local.at(-1)!, /mod 1 vmap \{ 0 : goto endpoint-\S+__10\.244\.0\.2\/8080 \}/);
  const remote = serviceState(servicePorts(lb, [slice('lb', [ep('10.244.1.2', 'n2')])], 'n1'), o);
  assert.deepEqual(chainsLike(remote, 'local-')[0]![1], ['drop']);
});

test('internalTrafficPolicy Local sends cluster-IP traffic to the local chain; ETP Cluster masquerades external traffic', () => {
  const s = serviceState(servicePorts(svc('w', { type: 'NodePort', internalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30082 }] }),
    [slice('w', [ep('10.244.0.2')])], 'n1'), o);
  assert.match(chainsLike(s, 'service-')[0]![1].at(-1)!, /^goto local-/);
  assert.deepEqual(chainsLike(s, 'external-')[0]![1].map((r) => r.replace(/ cluster-.*/, '')), ['jump mark-for-masquerade', 'goto']);
});

test('ClientIP affinity: a timed set per endpoint, checked before the random pick and updated on the way in', () => {
  const s = serviceState(servicePorts(svc('a', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 30 } }, ports: [{ name: 'http', port: 80 }] }),
    [slice('a', [ep('10.244.0.2'), ep('10.244.0.3')])], 'n1'), o);
  assert.equal(s.sets.size, 2);
  for (const decl of s.sets.values()) assert.equal(decl, 'type ipv4_addr ; flags dynamic,timeout ; timeout 30s ;');
  const [[, cluster]] = chainsLike(s, 'cluster-');
  assert.equal(cluster.length, 3);
  assert.match(cluster[0]!, /^ip saddr @affinity-\S+ goto endpoint-/);
  assert.match(chainsLike(s, 'endpoint-')[0]![1][1]!, /^update @affinity-\S+ \{ ip saddr \}$/);
});

test('the incremental diff of an endpoint removal touches only that service, and deletes after unlinking', () => {
  const before = serviceState(servicePorts(web, [three], 'n1'), o);
  const after = serviceState(servicePorts(web, [slice('web', [ep('10.244.0.2'), ep('10.244.0.3')])], 'n1'), o);
  const cmds = diffCommands(before, after, 'skiff-unit');
  assert.ok(cmds.every((c) => !/element/.test(c)), 'the clusterIP element still points at the same chain');
  const flushCluster = cmds.findIndex((c) => /^flush chain ip skiff-unit cluster-/.test(c));
  const del = cmds.findIndex((c) => /^delete chain ip skiff-unit endpoint-\S+__10\.244\.0\.4\/8080$/.test(c));
  assert.ok(flushCluster >= 0 && del > flushCluster, cmds.join('\n'));
  assert.equal(cmds.filter((c) => c.startsWith('delete chain')).length, 1);
  const gone = diffCommands(after, serviceState([], o), 'skiff-unit');
  const delElem = gone.findIndex((c) => c.startsWith('delete element ip skiff-unit service-ips { 10.43.0.50 . tcp . 80 }'));
  assert.ok(delElem >= 0 && gone.findIndex((c) => c.startsWith('delete chain')) > delElem);
  assert.deepEqual(diffCommands(after, after, 'skiff-unit'), []);
});

test('the kernel accepts the generated ruleset and its incremental updates (nft --check, nothing applied)', async () => {
  const all = [
    ...servicePorts(svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP',
      externalIPs: ['192.0.2.9'], ports: [{ name: 'http', port: 80, nodePort: 30081 }, { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }] },
    { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } }), [slice('lb', [ep('10.244.0.2'), ep('10.244.1.2', 'n2')],
      [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }])], 'n1'),
    ...servicePorts(svc('empty', { clusterIP: '10.43.0.51', type: 'NodePort', ports: [{ port: 81, nodePort: 30082 }] }), [], 'n1'),
    ...servicePorts(svc('sctp', { clusterIP: '10.43.0.52', ports: [{ name: 's', port: 9, protocol: 'SCTP' }] }),
      [slice('sctp', [ep('10.244.0.9')], [{ name: 's', port: 9999, protocol: 'SCTP' }])], 'n1'),
  ];
  const text = renderRuleset(all, o);
  const r = await runCommand('nft', ['--check', '-f', '-'], text);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await runCommand('nft', ['list', 'table', 'ip', 'skiff-unit'])).code, 1, 'check mode applied nothing');
});
