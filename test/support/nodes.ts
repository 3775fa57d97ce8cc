// Test harness for real nodes: a network namespace per extra node, joined to a host bridge by a veth (the host's
// end of the link has .1, the namespace .2 and a default route via .1; or several namespaces on one link, .2, .3 …
// — createLink + joinLink), and the clean-up of what a kubelet leaves on a host — pod sandboxes (through its
// containerd's CRI), that containerd (by the PID in its pid file), CNI result files of its network and its bridge;
// stopServerAndAgent does all of that for a `skiff server` + `skiff agent` pair. Everything is named with the
// caller's suffix so concurrent tests do not meet.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { type RestClient, resourceRef } from '../../src/client/index.ts';
import { CriClient } from '../../src/node/cri/client.ts';
import { containerdLayout } from '../../src/node/cri/containerd-config.ts';
import { type SkiffProcess, stopSkiff } from './process.ts';

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // already gone
  }
}

export interface NodeNamespace {
  name: string;
  /** The host bridge's address (the namespace's default gateway). */
  hostIP: string;
  /** The namespace's address on the link. */
  nodeIP: string;
  /** Runs a program in the namespace (network only: mounts and cgroups stay the host's, as runc needs). */
  wrap: string[];
  destroy(): void;
}

/** A host bridge with the first address of the /24 whose first three octets are `net`: nodes' shared L2 link. */
export interface NodeLink {
  bridge: string;
  hostIP: string;
  net: string;
  destroy(): void;
}

export function createLink(bridge: string, net: string): NodeLink {
  const hostIP = `${net}.1`;
  const destroy = (): void => quietly(() => ip(['link', 'del', bridge]));
  try {
    ip(['link', 'add', bridge, 'type', 'bridge']);
    ip(['addr', 'add', `${hostIP}/24`, 'dev', bridge]);
    ip(['link', 'set', bridge, 'up']);
  } catch (err) {
    destroy();
    throw err;
  }
  return { bridge, hostIP, net, destroy };
}

/**
 * Namespace `name` on `link` with address <net>.<host>, its veth's host end named `veth` (at most 15 characters);
 * destroy() removes the namespace and the veth, not the link.
 */
export function joinLink(link: NodeLink, name: string, host: number, veth: string): NodeNamespace {
  const nodeIP = `${link.net}.${host}`;
  const destroy = (): void => {
    quietly(() => ip(['netns', 'del', name]));
    quietly(() => ip(['link', 'del', veth]));
  };
  try {
    ip(['netns', 'add', name]);
    ip(['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name]);
    ip(['link', 'set', veth, 'master', link.bridge, 'up']);
    ip(['-n', name, 'addr', 'add', `${nodeIP}/24`, 'dev', 'eth0']);
    ip(['-n', name, 'link', 'set', 'eth0', 'up']);
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
    ip(['-n', name, 'route', 'add', 'default', 'via', link.hostIP]);
  } catch (err) {
    destroy();
    throw err;
  }
  return { name, hostIP: link.hostIP, nodeIP, wrap: ['nsenter', `--net=/run/netns/${name}`], destroy };
}

/** Namespace `name` linked through veth to host bridge `bridge`, on the /24 whose first three octets are `net`. */
export function createNodeNamespace(name: string, bridge: string, net: string): NodeNamespace {
  const link = createLink(bridge, net);
  try {
    const ns = joinLink(link, name, 2, `${bridge}h`);
    return {
      ...ns,
      destroy: () => {
        ns.destroy();
        link.destroy();
      },
    };
  } catch (err) {
    link.destroy();
    throw err;
  }
}

/** Stops and removes every pod sandbox of the containerd under dataDir (containers keep running otherwise). */
export async function removeSandboxes(dataDir: string): Promise<void> {
  const socket = containerdLayout(dataDir).socket;
  if (!existsSync(socket)) return;
  const cri = new CriClient(`unix://${socket}`);
  try {
    for (const sb of await cri.listPodSandbox()) {
      await cri.stopPodSandbox(sb.id).catch(() => undefined);
      await cri.removePodSandbox(sb.id).catch(() => undefined);
    }
  } catch {
    // containerd already gone
  } finally {
    cri.close();
  }
}

/** After the kubelet has stopped: its containerd (if still running), its bridge and CNI result files. */
export function cleanNodeHost(dataDir: string, bridge: string): void {
  const pidFile = containerdLayout(dataDir).pidFile;
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (pid > 0) quietly(() => process.kill(pid, 'SIGKILL'));
  }
  quietly(() => ip(['link', 'del', bridge]));
  const results = '/var/lib/cni/results';
  // the kubelet names its CNI network after its bridge; libcni keys results by network name
  if (existsSync(results)) for (const f of readdirSync(results)) if (f.startsWith(`${bridge}-`)) rmSync(join(results, f), { force: true });
}

/** A `skiff server` and a `skiff agent` of a two-node test, as far as they got started. */
export interface ServerAndAgent {
  client: RestClient | undefined;
  server: SkiffProcess | undefined;
  agent: SkiffProcess | undefined;
  serverDir: string;
  agentDir: string;
  serverBridge: string;
  agentBridge: string;
}

/**
 * Stops a two-node test's nodes: the web Deployment and every pod of the default namespace through the API (the
 * server may be gone), the sandboxes while the containerds still run, then the agent, the client, the server (and
 * its kubelet), and each node's containerd leftovers, bridge and CNI results. Namespaces and dirs are the caller's.
 */
export async function stopServerAndAgent(o: ServerAndAgent): Promise<void> {
  const pods = resourceRef('v1', 'pods');
  try {
    if (o.client) {
      await o.client.delete(resourceRef('apps/v1', 'deployments'), 'web', { namespace: 'default' }).catch(() => undefined);
      for (const p of (await o.client.list<Pod>(pods, { namespace: 'default' })).items) {
        await o.client.delete(pods, p.metadata!.name!, { namespace: 'default', gracePeriodSeconds: 0 }).catch(() => undefined);
      }
    }
  } catch {
    // the server may be gone
  }
  await removeSandboxes(o.agentDir);
  await removeSandboxes(o.serverDir);
  await stopSkiff(o.agent);
  o.client?.close();
  await stopSkiff(o.server);
  cleanNodeHost(o.agentDir, o.agentBridge);
  cleanNodeHost(o.serverDir, o.serverBridge);
}
