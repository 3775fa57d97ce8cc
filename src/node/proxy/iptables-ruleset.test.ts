import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCommand } from './nft.ts';
import { servicePorts } from './model.ts';
import { chainPrefix, iptablesRuleset, restoreText } from './iptables-ruleset.ts';
import { ep, slice, svc } from './fixtures.ts';

const P = chainPrefix('skiff-unit');

test('chain names fit iptables (28 chars) and the statistic probabilities pick uniformly', () => {
  const ports = servicePorts(svc('web', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }),
    [slice('web', [ep('10.244.0.2'), ep('10.244.0.3'), ep('10.244.0.4')])], 'n1');
  const rs = iptablesRuleset(ports, 'skiff-unit', '10.244.0.0/16');
  for (const name of [...rs.nat.keys(), ...rs.filter.keys()]) assert.ok(name.length <= 28, name);
  const clu = [...rs.nat].find(([n]) => n.startsWith(`${P}-CLU-`))![1];
  assert.deepEqual(clu.map((r) => /--probability (\S+)/.exec(r)?.[1]), ['0.3333333333', '0.5000000000', undefined]);
  assert.ok(rs.nat.get(`${P}-SERVICES`)!.some((r) => r.startsWith('-d 10.43.0.50/32 -p tcp -m tcp --dport 80 -j')));
  assert.ok(rs.nat.get(`${P}-NODEPORTS`)!.some((r) => r.startsWith('-p tcp -m tcp --dport 30080 -j')));
});

test('no endpoints: REJECT in the filter table for the address and the node port', () => {
  const ports = servicePorts(svc('np', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), [], 'n1');
  const rs = iptablesRuleset(ports, 'skiff-unit');
  assert.deepEqual(rs.filter.get(`${P}-REJECT`)!.slice(1), [
    '-d 10.43.0.50/32 -p tcp -m tcp --dport 80 -j REJECT',
    '-m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j REJECT',
  ]);
});

test('iptables-restore accepts the generated text (--test: nothing applied)', async () => {
  const ports = servicePorts(svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, nodePort: 30081 }] },
    { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } }), [slice('lb', [ep('10.244.0.2'), ep('10.244.1.2', 'n2')])], 'n1');
  const rs = iptablesRuleset(ports, 'skiff-unit', '10.244.0.0/16');
  for (const table of ['nat', 'filter'] as const) {
    const r = await runCommand('iptables-restore', ['--noflush', '--test'], restoreText(table, rs[table], []));
    assert.equal(r.code, 0, r.stderr);
  }
});
