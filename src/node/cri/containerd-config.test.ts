import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { containerdConfig, containerdLayout } from './containerd-config.ts';
import { registryToml } from './registries.ts';

test('containerd config: root/state/socket under the data dir, the settings these machines need', () => {
  const layout = containerdLayout('/d');
  const text = containerdConfig({ layout, sandboxImage: 'docker.io/skiff/pause:x', cniConfDir: '/d/net.d', cniBinDir: '/usr/lib/cni' });
  assert.match(text, /^root = "\/d\/agent\/containerd\/root"$/m);
  assert.match(text, /^state = "\/d\/agent\/containerd\/state"$/m);
  assert.match(text, /address = "\/d\/agent\/containerd\/containerd.sock"/);
  assert.match(text, /sandbox_image = "docker.io\/skiff\/pause:x"/);
  assert.match(text, /restrict_oom_score_adj = true/);
  assert.match(text, /stream_server_port = "0"/);
  assert.match(text, /default_runtime_name = "runc"/);
  assert.match(text, /conf_dir = "\/d\/net.d"/);
});

test('registries.yaml (k3s format) -> CRI registry mirrors and configs', () => {
  const cfg = parse(`
mirrors:
  docker.io:
    endpoint: ["http://127.0.0.1:5000"]
configs:
  "127.0.0.1:5000":
    auth: { username: u, password: "p\\"w" }
    tls: { insecure_skip_verify: true }
`);
  const toml = registryToml(cfg);
  assert.match(toml, /\[plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"\]\n {4}endpoint = \["http:\/\/127.0.0.1:5000"\]/);
  assert.match(toml, /\.configs."127.0.0.1:5000".auth\]\n {4}username = "u"\n {4}password = "p\\"w"/);
  assert.match(toml, /\.configs."127.0.0.1:5000".tls\]\n {4}insecure_skip_verify = true/);
  assert.equal(registryToml(undefined), '');
});
