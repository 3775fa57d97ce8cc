// `skiff apiserver`: kube-apiserver with its store as a process of its own, the kubeadm layout in which the
// scheduler, controller-manager, kubelets and kube-proxy are separate processes joining it with --kubeconfig. It is
// `skiff server` with every hosted component off (run-server.ts does the work), so both make the same PKI, token,
// system objects and kubeconfigs; the components' kubeconfigs (their own identities) are written beside the
// admin's, under <data-dir>/server/cred.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { parseServerFlags } from './server-flags.ts';
import { serveUntilSignal } from './serve-until-signal.ts';

export const apiserverHelp = `Usage: skiff apiserver [flags]

Runs kube-apiserver alone, with its store: no scheduler, controller-manager, kubelet, kube-proxy or DNS (run them
as processes of their own: skiff scheduler|controller-manager|kubelet|proxy|dns --kubeconfig K). It makes the
cluster's certificates and token in the data dir on first start, and writes kubeconfigs for the admin and for each
component to <data-dir>/server/cred/{admin,scheduler,controller-manager,kube-proxy,dns}.kubeconfig.

  --https-listen-port N          HTTPS port (default 6443; 0 picks a free one)
  --bind-address ADDR            address to listen on (default 0.0.0.0: every address, as kube-apiserver); the
                                 kubeconfigs say https://127.0.0.1:PORT unless this is a specific non-loopback IP
  --advertise-address ADDR       address pods and other hosts reach the API on, the kubernetes Service's endpoint
                                 (default: the bind address, or when that is 0.0.0.0 or loopback, the default
                                 route's address)
  --tls-san NAME|IP              also put this on the serving certificate (repeatable, or comma-separated)
  -d, --data-dir DIR             certificates, token, SQLite database (default /var/lib/skiff as root, ~/.skiff)
  --datastore-endpoint URL       empty: embedded SQLite in the data dir; http://host:2379[,...]: etcd
  -t, --token T                  shared secret, accepted as an admin bearer token; agents join with its node token
  --service-cidr CIDR            service ClusterIP range (default 10.43.0.0/16)
  -o, --write-kubeconfig PATH    also write the admin kubeconfig here (merged into a kubeconfig already there)
  --write-kubeconfig-mode MODE   file mode of that file (octal, default 600)
  --max-requests-inflight N      read-only requests served at once (default 400, 0: no limit)
  --max-mutating-requests-inflight N
                                 mutating requests served at once (default 200, 0: no limit)
`;

const allowed = {
  'https-listen-port': { type: 'string' },
  'bind-address': { type: 'string' },
  'advertise-address': { type: 'string' },
  'tls-san': { type: 'string', multiple: true },
  'data-dir': { type: 'string', short: 'd' },
  'datastore-endpoint': { type: 'string' },
  token: { type: 'string', short: 't' },
  'service-cidr': { type: 'string' },
  'write-kubeconfig': { type: 'string', short: 'o' },
  'write-kubeconfig-mode': { type: 'string' },
  'max-requests-inflight': { type: 'string' },
  'max-mutating-requests-inflight': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function apiserverCommand(argv: string[]): Promise<number> {
  // strict: a node or component flag here is a mistake worth saying, not something to ignore
  const { values } = parseArgs({ args: argv, strict: true, options: allowed });
  if (values.help) {
    process.stdout.write(apiserverHelp);
    return 0;
  }
  const cfg = {
    ...parseServerFlags(argv),
    disableAgent: true, disableScheduler: true, disableControllerManager: true,
  };
  const cred = join(cfg.dataDir, 'server', 'cred');
  return serveUntilSignal(cfg, 'skiff apiserver', (running) => [
    `listening on ${running.url}`,
    `admin kubeconfig at ${running.kubeconfig}${cfg.writeKubeconfig ? ` and ${cfg.writeKubeconfig}` : ''}`,
    `components join with skiff scheduler --kubeconfig ${join(cred, 'scheduler.kubeconfig')}, skiff controller-manager --kubeconfig ${join(cred, 'controller-manager.kubeconfig')}`,
    `node token at ${running.nodeTokenFile}`,
  ]);
}
