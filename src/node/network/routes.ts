// Host-gw routing between nodes (flannel's host-gw backend, in the kubelet): every other Node's podCIDR is routed
// via that Node's InternalIP with `ip route replace`, so pods on different nodes reach each other directly by pod
// IP. Nodes are watched through an informer; a route whose Node is gone (or changed address/CIDR) is removed. Only
// routes this loop added are ever removed. Works the same for a node in its own network namespace: `ip` acts on the
// namespace of the process running it.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Node } from 'kubernetes-types/core/v1.js';
import { Informer, type RestClient, resourceRef } from '../../client/index.ts';

const nodesRef = resourceRef('v1', 'nodes', false);

export interface RouteOptions {
  client: RestClient;
  /** This node: its own podCIDR is on its bridge, not routed. */
  nodeName: string;
  /** This node's InternalIP: a Node with the same address shares our host and needs no route. */
  nodeIP: string;
  signal: AbortSignal;
  log: (msg: string) => void;
  /** Runs `ip` (tests may record instead). */
  ip?: (args: string[]) => Promise<void>;
}

/** podCIDR → gateway (the other node's InternalIP). */
export type RouteTable = Map<string, string>;

/** The routes this node needs, from the Nodes it knows. */
export function desiredRoutes(nodes: Node[], self: string, selfIP: string): RouteTable {
  const out: RouteTable = new Map();
  for (const n of nodes) {
    if (n.metadata?.name === self) continue;
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    const cidrs = n.spec?.podCIDRs?.length ? n.spec.podCIDRs : n.spec?.podCIDR ? [n.spec.podCIDR] : [];
    if (!ip || ip === selfIP) continue;
    for (const cidr of cidrs) if (!cidr.includes(':')) out.set(cidr, ip);
  }
  return out;
}

function runIp(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, (err, _stdout, stderr) => (err ? reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve()));
  });
}

/** Forwarding must be on for a node to route its pods' traffic (a fresh network namespace starts with it off). */
function enableForwarding(log: (msg: string) => void): void {
  try {
    writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
  } catch (err) {
    log(`cannot enable IPv4 forwarding: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** How often routes that could not be added are tried again (a gateway that is not on-link yet, say). */
const retryFailedMs = 30_000;

/** Keeps the routes to other nodes' pods until signal aborts; resolves then (the routes stay, as flannel's do). */
export async function runRouteController(o: RouteOptions): Promise<void> {
  const ip = o.ip ?? runIp;
  if (!o.ip) enableForwarding(o.log);
  const informer = new Informer<Node>({ client: o.client, ref: nodesRef });
  const installed: RouteTable = new Map();
  // A route `ip` refused is not retried on every Node event (heartbeats of many nodes would run `ip` in a storm),
  // only when its Node's address or CIDR changes, or on the periodic retry.
  const failed: RouteTable = new Map();
  const sync = async (retry: boolean): Promise<void> => {
    const want = desiredRoutes(informer.lister.list(), o.nodeName, o.nodeIP);
    for (const [cidr, via] of installed) {
      if (want.get(cidr) === via) continue;
      installed.delete(cidr);
      await ip(['route', 'del', cidr, 'via', via]).catch((err: unknown) => o.log(err instanceof Error ? err.message : String(err)));
    }
    for (const [cidr, via] of want) {
      if (installed.get(cidr) === via || (!retry && failed.get(cidr) === via)) continue;
      try {
        await ip(['route', 'replace', cidr, 'via', via]);
        installed.set(cidr, via);
        failed.delete(cidr);
        o.log(`route ${cidr} via ${via}`);
      } catch (err) {
        if (failed.get(cidr) !== via) o.log(`adding route ${cidr} via ${via} failed: ${err instanceof Error ? err.message : String(err)}`);
        failed.set(cidr, via);
      }
    }
  };
  // Rounds run one at a time, each over the whole current cache, so a burst of events needs one more round only.
  let syncing = Promise.resolve();
  let queued = false;
  const kick = (retry = false): void => {
    if (queued && !retry) return;
    queued = true;
    syncing = syncing.then(() => {
      queued = false;
      return sync(retry);
    });
  };
  informer.addEventHandler({ onAdd: () => kick(), onUpdate: () => kick(), onDelete: () => kick() }, o.signal);
  const timer = setInterval(() => {
    if (failed.size) kick(true);
  }, retryFailedMs);
  try {
    await informer.run(o.signal);
  } finally {
    clearInterval(timer);
  }
  await syncing;
}
