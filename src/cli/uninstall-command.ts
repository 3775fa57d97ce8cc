// `skiff uninstall`: removes what Skiff made on this host for one data dir (src/server/uninstall.ts does it) and
// says what it removed; exits 1 if any step failed, naming it, and refuses while a server runs on the data dir.
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../server/data-dir-lock.ts';

export const uninstallHelp = `Usage: skiff uninstall [flags]

Removes everything Skiff made on this host for a data dir, as k3s-uninstall.sh does for k3s, and says what it
removes: the pods (sandboxes and containers, through the node's own containerd, started briefly if it is not
running; with them their network namespaces and addresses), mounts left under the data dir, the CNI bridge and
libcni's cached results of its network, host-gw routes into the cluster CIDR, kube-proxy's nftables table (or
iptables chains), Skiff's cluster, user and context in the kubeconfig files the server wrote with
--write-kubeconfig (a file with nothing else in it is deleted), and the data dir itself. Nothing else is touched.
Refused while a server runs on the data dir: stop it first. Run as the user (root) that ran the server. Pods of a
node that used another runtime (--container-runtime-endpoint) are left in that runtime.

Flags:
  -d, --data-dir DIR             the data dir (default /var/lib/skiff as root, ~/.skiff otherwise)
  -o, --write-kubeconfig PATH    also take Skiff's entry out of this kubeconfig (the ones the server wrote are
                                 recorded in the data dir and need not be named); repeatable
`;

export async function uninstallCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'data-dir': { type: 'string', short: 'd' },
      'write-kubeconfig': { type: 'string', short: 'o', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(uninstallHelp);
    return 0;
  }
  return runUninstall(values['data-dir'] ?? defaultDataDir(), values['write-kubeconfig'] ?? [], 'skiff uninstall');
}

/** Shared with `skiff server --reset`. */
export async function runUninstall(dataDir: string, kubeconfigs: string[], who: string): Promise<number> {
  const { uninstall } = await import('../server/uninstall.ts');
  const say = (msg: string): void => console.log(`${who}: ${msg}`);
  const { failures } = await uninstall({ dataDir, kubeconfigs, say });
  if (failures.length) {
    process.stderr.write(`${who}: ${failures.length} step(s) failed; what they name is still on this host:\n${failures.map((f) => `  ${f}\n`).join('')}`);
    return 1;
  }
  say('done');
  return 0;
}
