// Per-run host resources for tests that program the real host: one "run" per test file (or per cluster a file
// starts) that claims a slot no other test process on this machine holds at the same time, and derives from it
// every shared resource two concurrently running files could otherwise both claim.
//
// Why each is per run (`npm test` runs two files at once; other worktrees run their tests beside them; all share
// the host network namespace, its nftables, its routes and its ports):
// - service CIDR and cluster DNS IP: every kube-proxy of a test programs the host's nftables (a table per run, but
//   nat hooks of all tables see every packet) and DNATs its Service IPs. Two runs with the same CIDR — the product's
//   10.43.0.0/16 with DNS at 10.43.0.10 — both DNAT 10.43.0.10:53 and the same ClusterIPs: one run's pods would
//   reach the other run's DNS server or backends. Each run gets a /24 of 10.47.0.0/16 (.10 is its DNS).
// - NodePort range: NodePorts match any local address on the host, so two runs' NodePort Services must never get
//   the same port. Each run gets 50 ports of 30000-32767 (the apiserver's --service-node-port-range).
// - cluster CIDR (pod CIDRs): each node's bridge gets the first address of its podCIDR and a route to it; two runs
//   with overlapping pod CIDRs make the host route one run's pod traffic into the other run's bridge. Each run gets
//   a /16 of its own: 10.48.0.0/16 … 10.95.0.0/16.
// - small host networks (veth links to a node namespace, a proxy lab's bridge, an external IP): `net(k)`, four
//   /24s of 10.46.0.0/16 per run, so bridge addresses, the DNS a hosted server binds on its node IP (:53) and the
//   routes to them are the run's own.
// - names (bridges, veths, netns, nft tables, node names): `name(prefix)` carries the slot, unique among live runs,
//   plus random hex so that what a crashed earlier run left behind does not collide either. Linux interface names
//   are at most 15 characters: keep prefixes short.
// - fixed ports of `skiff server`: the hosted scheduler's and controller-manager's secure ports (10259, 10257) and its
//   kubelet's API (10250) are the product's defaults; two test servers on them collide (the second one's components
//   fail to listen). `serverPortFlags` turns them to 0 (none / any free one) — for every test `skiff server`, with a
//   run or without; `serverRunFlags(run)` adds the run's networks and kube-proxy table.
// Not managed here because they are already per run: TCP/UDP listeners on port 0 (the API server, the kubelet API with
// `--port 0`, DNS on `<address>:0`, containerd's CRI streaming port), data dirs and containerd sockets (mkdtemp).
//
// The slot is held by an abstract unix socket (`\0skiff-e2e-slot-N`): the kernel refuses a second listener on the
// same name, so two processes never hold one slot, and it is released when the process exits — even by a crash,
// leaving no lock file behind (abstract names are per network namespace: claim from the host's, as tests run). The
// ranges avoid those tests written before this module pick at random (10.100–10.249, 10.244/16). Product defaults (10.42/16, 10.43/16, 10.43.0.10, 10250, 30000-32767) stay as they
// are; tests pass these values through the components' ordinary flags and options.
//
// Adopting it in a test that programs the host: `run = await claimRun()` in before(); `startTestServer({ network:
// run })`; node-ipam `options: { clusterCidr: run.clusterCidr }`; the kube-dns Service at `run.clusterDns` and
// `skiff kubelet --cluster-dns run.clusterDns`; bridges, nft tables, netns and node namespaces' links named
// `run.name('skx')` on `run.net(k)`; `skiff proxy --table run.name('skiff-x') --cluster-cidr run.clusterCidr`; a
// `skiff server` gets `...serverRunFlags(run)` (any other test server `...serverPortFlags`); `await run.release()`
// last in after().
import { randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:net';

/** How many runs may hold a slot at once on one machine. */
export const slotCount = 48;
const nodePortsPerRun = 50;

export interface TestRun {
  slot: number;
  /** Short and unique among live runs: slot + random hex (6 characters). */
  id: string;
  /** A /16 for node-ipam (`--cluster-cidr`), a /24 per node. */
  clusterCidr: string;
  /** A /24 for Service ClusterIPs (`--service-cidr`); its first address is the `kubernetes` Service. */
  serviceCidr: string;
  /** The kube-dns Service's ClusterIP in serviceCidr (`--cluster-dns`). */
  clusterDns: string;
  /** The NodePort range in the apiserver's flag syntax (`--service-node-port-range`), e.g. "30100-30149". */
  nodePortRange: string;
  /** The first three octets of the run's k-th test /24 (k 0..3), e.g. "10.46.9". */
  net(k: number): string;
  /** `${prefix}${id}`, for bridges, netns, nft tables, node names (prefix ≤ 9 characters for a link name). */
  name(prefix: string): string;
  /** Frees the slot (exiting the process does too). */
  release(): Promise<void>;
}

function tryListen(name: string): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen({ path: `\0${name}` }, () => {
      srv.unref(); // holding the slot must not keep the test process alive
      resolve(srv);
    });
  });
}

/** The resources of slot `slot` (pure: what claimRun hands out, also for unit tests and documentation). */
export function runResources(slot: number, hex = '00'): Omit<TestRun, 'release'> {
  if (!Number.isInteger(slot) || slot < 0 || slot >= slotCount) throw new Error(`slot ${slot} outside 0..${slotCount - 1}`);
  const id = `${String(slot).padStart(2, '0')}${hex}`;
  const low = 30000 + slot * nodePortsPerRun;
  return {
    slot,
    id,
    clusterCidr: `10.${48 + slot}.0.0/16`,
    serviceCidr: `10.47.${slot}.0/24`,
    clusterDns: `10.47.${slot}.10`,
    nodePortRange: `${low}-${low + nodePortsPerRun - 1}`,
    net(k: number): string {
      if (!Number.isInteger(k) || k < 0 || k > 3) throw new Error(`net(${k}): a run has nets 0..3`);
      return `10.46.${slot * 4 + k}`;
    },
    name: (prefix: string): string => `${prefix}${id}`,
  };
}

/** Claims a free slot (starting at a random one, so concurrent claimers rarely race for the same). */
export async function claimRun(): Promise<TestRun> {
  const start = randomBytes(1)[0]! % slotCount;
  for (let i = 0; i < slotCount; i++) {
    const slot = (start + i) % slotCount;
    const srv = await tryListen(`skiff-e2e-slot-${slot}`);
    if (!srv) continue;
    return {
      ...runResources(slot, randomBytes(2).toString('hex')),
      release: () => new Promise<void>((resolve) => srv.close(() => resolve())),
    };
  }
  throw new Error(`all ${slotCount} test-run slots are taken: ${slotCount} host-network tests are running on this machine`);
}

/** `skiff server` flags that keep a test server off the product's fixed host ports (10250, 10257, 10259). */
export const serverPortFlags: readonly string[] = ['--kubelet-port', '0', '--kube-scheduler-secure-port', '0', '--kube-controller-manager-secure-port', '0'];

/** `skiff server` flags for a run: its pod and Service CIDRs, cluster DNS IP, NodePort range, its own kube-proxy
 *  table (k3s's --kube-proxy-arg) and serverPortFlags. The node IP, bridge names and data dir stay the caller's. */
export function serverRunFlags(run: Omit<TestRun, 'release'>): string[] {
  return [
    '--cluster-cidr', run.clusterCidr, '--service-cidr', run.serviceCidr, '--cluster-dns', run.clusterDns,
    '--service-node-port-range', run.nodePortRange, '--kube-proxy-arg', `table=${run.name('skiff-p')}`, ...serverPortFlags,
  ];
}
