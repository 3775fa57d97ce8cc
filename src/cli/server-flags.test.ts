import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerFlags, serverHelp } from './server-flags.ts';
import { agentPreflight, servingSans } from '../server/run-server.ts';
import { primaryIPv4 } from '../node/kubelet/host.ts';

test('the agent flags: a kubelet by default, --disable-agent turns it off, node flags pass through', () => {
  const d = parseServerFlags(['--data-dir', '/tmp/x']);
  assert.equal(d.disableAgent, false);
  assert.equal(d.nodeName, undefined);
  assert.equal(d.clusterDns, '10.43.0.10');
  const c = parseServerFlags(['--disable-agent', '--node-name', 'n1', '--node-ip', '192.0.2.7', '--cni-bridge', 'br9', '--container-runtime-endpoint', 'unix:///run/c.sock']);
  assert.deepEqual([c.disableAgent, c.nodeName, c.nodeIp, c.cniBridge, c.containerRuntimeEndpoint], [true, 'n1', '192.0.2.7', 'br9', 'unix:///run/c.sock']);
  assert.match(serverHelp, /\n\(agent\)\n {2}--disable-agent /);
  assert.doesNotMatch(serverHelp, /not implemented/);
});

test('the preflight asks nothing of a server without its own containerd', () => {
  assert.doesNotThrow(() => agentPreflight({ disableAgent: true }));
  assert.doesNotThrow(() => agentPreflight({ disableAgent: false, containerRuntimeEndpoint: 'unix:///run/c.sock' }));
});

test('the serving certificate names where agents reach the API: advertise address, node IP, --tls-san', () => {
  const cfg = parseServerFlags(['--bind-address', '127.0.0.1', '--advertise-address', '192.0.2.10', '--node-ip', '192.0.2.11', '--tls-san', 'api.example.com,198.51.100.1', '--tls-san', '192.0.2.10']);
  assert.deepEqual(servingSans(cfg), { dns: ['api.example.com'], ips: ['192.0.2.10', '10.43.0.1', '192.0.2.11', '198.51.100.1'] });
  const all = servingSans(parseServerFlags(['--bind-address', '0.0.0.0']));
  assert.ok(!all.ips.includes('127.0.0.1'), 'loopback is always on the certificate, not repeated');
  assert.ok(all.ips.includes('10.43.0.1'));
});

test('like k3s the API listens on every address; like kube-apiserver it advertises a host address pods can reach', () => {
  const d = parseServerFlags(['--node-ip', '192.0.2.11']);
  assert.equal(d.bindAddress, '0.0.0.0');
  assert.equal(d.advertiseAddress, '192.0.2.11', 'unspecified bind address: --node-ip');
  assert.equal(parseServerFlags(['--bind-address', '127.0.0.1', '--node-ip', '192.0.2.11']).advertiseAddress, '192.0.2.11', 'loopback: --node-ip');
  assert.equal(parseServerFlags(['--bind-address', '192.0.2.5', '--node-ip', '192.0.2.11']).advertiseAddress, '192.0.2.5', 'a specific bind address');
  assert.equal(parseServerFlags(['--advertise-address', '198.51.100.7']).advertiseAddress, '198.51.100.7');
  assert.equal(parseServerFlags([]).advertiseAddress, primaryIPv4(), 'without --node-ip: the default route\'s address');
  assert.match(serverHelp, /--bind-address ADDR {12}address to listen on \(default 0\.0\.0\.0/);
});

test('--kube-proxy-arg sets the hosted kube-proxy mode and table, validated as skiff proxy does', () => {
  assert.deepEqual(parseServerFlags([]).kubeProxy, { mode: 'nftables', table: 'skiff-proxy' });
  assert.deepEqual(parseServerFlags(['--kube-proxy-arg', 'proxy-mode=iptables', '--kube-proxy-arg', 'table=t1']).kubeProxy, { mode: 'iptables', table: 't1' });
  assert.throws(() => parseServerFlags(['--kube-proxy-arg', 'hostname-override=x']), /invalid --kube-proxy-arg hostname-override=x: want KEY=VALUE with KEY one of proxy-mode, table/);
  assert.throws(() => parseServerFlags(['--kube-proxy-arg', 'proxy-mode=ipvs']), /--proxy-mode: want nftables or iptables, got "ipvs"/);
  assert.throws(() => parseServerFlags(['--kube-proxy-arg', 'table=a;b']), /--table: invalid name/);
});

test('--service-node-port-range (k3s name): parsed, default kept, bad values refused clearly', () => {
  assert.deepEqual(parseServerFlags([]).serviceNodePortRange, { min: 30000, max: 32767 });
  assert.deepEqual(parseServerFlags(['--service-node-port-range', '30100-30149']).serviceNodePortRange, { min: 30100, max: 30149 });
  assert.throws(() => parseServerFlags(['--service-node-port-range', '32000-31000']), /invalid --service-node-port-range "32000-31000": want MIN-MAX/);
  assert.throws(() => parseServerFlags(['--service-node-port-range', '30000']), /want MIN-MAX/);
});
