#!/usr/bin/env node
// The `skiff` command: a table of subcommands, each handed its own arguments (thin, like k3s's main). A command's
// module is imported only when it runs, so `skiff server` on a locked data dir answers before loading the world.
import { installProcessPolicy } from '../server/process-policy.ts';

type Command = (argv: string[]) => Promise<number>;

/** A command whose module is loaded when it runs. */
function lazy<M>(load: () => Promise<M>, pick: (m: M) => Command): Command {
  return async (argv) => pick(await load())(argv);
}

const commands: Record<string, { run: Command; summary: string }> = {
  server: {
    run: lazy(() => import('./server-command.ts'), (m) => m.serverCommand),
    summary: 'Run the control plane (API server, store, scheduler, controllers)',
  },
  apiserver: {
    run: lazy(() => import('./apiserver-command.ts'), (m) => m.apiserverCommand),
    summary: 'Run kube-apiserver with its store alone (--data-dir --datastore-endpoint); writes the kubeconfigs',
  },
  scheduler: {
    run: lazy(() => import('../control-plane/scheduler/index.ts'), (m) => m.schedulerCommand),
    summary: 'Run kube-scheduler against a cluster (--kubeconfig)',
  },
  'controller-manager': {
    run: lazy(() => import('../control-plane/controllers/manager.ts'), (m) => m.controllerManagerCommand),
    summary: 'Run kube-controller-manager against a cluster (--kubeconfig)',
  },
  proxy: { run: lazy(() => import('../node/proxy/command.ts'), (m) => m.proxyCommand), summary: 'Run kube-proxy on this node (--kubeconfig --node-name; --cleanup removes its rules)' },
  'sim-nodes': {
    run: lazy(() => import('../sim/command.ts'), (m) => m.simNodesCommand),
    summary: 'Run simulated (kwok-style) nodes against a cluster (--kubeconfig --count N)',
  },
  agent: {
    run: lazy(() => import('./agent-command.ts'), (m) => m.agentCommand),
    summary: 'Join this host to a cluster as a worker node (--server URL --token TOKEN)',
  },
  kubelet: {
    run: lazy(() => import('../node/kubelet/command.ts'), (m) => m.kubeletCommand),
    summary: 'Run the kubelet for this node with containerd (--kubeconfig --node-name --data-dir)',
  },
  uninstall: {
    run: lazy(() => import('./uninstall-command.ts'), (m) => m.uninstallCommand),
    summary: 'Remove what Skiff made on this host: pods, CNI state, kube-proxy rules, kubeconfig entry, data dir',
  },
  image: {
    run: lazy(() => import('../node/images/command.ts'), (m) => m.imageCommand),
    summary: "Import image archives into the node's container runtime (image import FILE…)",
  },
  dns: {
    run: lazy(() => import('../node/dns/command.ts'), (m) => m.dnsCommand),
    summary: 'Run cluster DNS against a cluster (--kubeconfig --listen)',
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(20)}${c.summary}`);
  return `Usage: skiff <command> [flags]\n\nCommands:\n${lines.join('\n')}\n\nRun 'skiff <command> --help' for a command's flags.\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`skiff: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  return command.run(rest);
}

installProcessPolicy({ name: 'skiff' });
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`skiff: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
