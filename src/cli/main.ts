// The `skiff` command: a table of subcommands, each handed its own arguments (thin, like k3s's main).
import { parseServerFlags, serverHelp } from './server-flags.ts';
import { runServer } from '../server/run-server.ts';
import { schedulerCommand } from '../control-plane/scheduler/index.ts';
import { controllerManagerCommand } from '../control-plane/controllers/manager.ts';
import { simNodesCommand } from '../sim/command.ts';
import { kubeletCommand } from '../node/kubelet/command.ts';
import { imageCommand } from '../node/images/command.ts';

type Command = (argv: string[]) => Promise<number>;

async function serverCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(serverHelp);
    return 0;
  }
  const cfg = parseServerFlags(argv);
  const running = await runServer(cfg);
  console.log(`skiff: API server listening on ${running.url}`);
  console.log(`skiff: admin kubeconfig at ${running.kubeconfig}${cfg.writeKubeconfig ? ` and ${cfg.writeKubeconfig}` : ''}`);
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      console.log(`skiff: ${sig} received, shutting down`);
      resolve();
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
  await running.stop();
  console.log('skiff: stopped');
  return 0;
}

const commands: Record<string, { run: Command; summary: string }> = {
  server: { run: serverCommand, summary: 'Run the control plane (API server, store, scheduler, controllers)' },
  scheduler: { run: schedulerCommand, summary: 'Run kube-scheduler against a cluster (--kubeconfig)' },
  'controller-manager': { run: controllerManagerCommand, summary: 'Run kube-controller-manager against a cluster (--kubeconfig)' },
  'sim-nodes': { run: simNodesCommand, summary: 'Run simulated (kwok-style) nodes against a cluster (--kubeconfig --count N)' },
  kubelet: { run: kubeletCommand, summary: 'Run the kubelet for this node with containerd (--kubeconfig --node-name --data-dir)' },
  image: { run: imageCommand, summary: 'Import image archives into the node\'s container runtime (image import FILE…)' },
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`skiff: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
