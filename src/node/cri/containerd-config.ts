// containerd's config.toml as Skiff writes it (k3s-style: containerd's root, state and socket under the node's data
// dir). What these machines need is fixed here: restrict_oom_score_adj (no CAP_SYS_RESOURCE in the VM), runc
// (crun fails on hybrid cgroups), the Skiff pause image as sandbox_image, and a random CRI streaming port so
// several nodes on one machine do not collide on 10010.
import { join } from 'node:path';
import { type RegistriesConfig, registryToml } from './registries.ts';

export interface ContainerdLayout {
  /** <data-dir>/agent/containerd */
  dir: string;
  root: string;
  state: string;
  socket: string;
  config: string;
  log: string;
  pidFile: string;
}

export function containerdLayout(dataDir: string): ContainerdLayout {
  const dir = join(dataDir, 'agent', 'containerd');
  return {
    dir,
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    socket: join(dir, 'containerd.sock'),
    config: join(dir, 'config.toml'),
    log: join(dir, 'containerd.log'),
    pidFile: join(dir, 'containerd.pid'),
  };
}

export interface ContainerdConfigOptions {
  layout: ContainerdLayout;
  sandboxImage: string;
  cniConfDir: string;
  cniBinDir: string;
  snapshotter?: string;
  /** Registry mirrors, auth and TLS (from registries.yaml). */
  registries?: RegistriesConfig;
}

/** TOML basic string: JSON's escaping is a subset TOML accepts for the characters paths contain. */
const q = (s: string): string => JSON.stringify(s);

export function containerdConfig(o: ContainerdConfigOptions): string {
  const cri = '[plugins."io.containerd.grpc.v1.cri"]';
  return [
    '# Written by skiff; regenerated on every start.',
    'version = 2',
    `root = ${q(o.layout.root)}`,
    `state = ${q(o.layout.state)}`,
    '[grpc]',
    `  address = ${q(o.layout.socket)}`,
    '[ttrpc]',
    `  address = ${q(o.layout.socket + '.ttrpc')}`,
    '[debug]',
    '  level = "info"',
    '[plugins]',
    `  ${cri}`,
    `    sandbox_image = ${q(o.sandboxImage)}`,
    '    restrict_oom_score_adj = true',
    '    stream_server_address = "127.0.0.1"',
    '    stream_server_port = "0"',
    `    ${cri.slice(0, -1)}.cni]`,
    `      bin_dir = ${q(o.cniBinDir)}`,
    `      conf_dir = ${q(o.cniConfDir)}`,
    `    ${cri.slice(0, -1)}.containerd]`,
    `      snapshotter = ${q(o.snapshotter ?? 'overlayfs')}`,
    '      default_runtime_name = "runc"',
    `      ${cri.slice(0, -1)}.containerd.runtimes.runc]`,
    '        runtime_type = "io.containerd.runc.v2"',
    registryToml(o.registries),
    '',
  ].join('\n');
}
