// The `skiff` command: a table of subcommands, each handed its own arguments (thin, like k3s's main).
import { parseServerFlags, serverHelp } from './server-flags.ts';
import { runServer } from '../server/run-server.ts';
import { schedulerCommand } from '../control-plane/scheduler/index.ts';
import { controllerManagerCommand } from '../control-plane/controllers/manager.ts';
import { simNodesCommand } from '../sim/command.ts';
import { installProcessPolicy, shutdownSignal } from '../server/process-policy.ts';

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
  const sig = await shutdownSignal();
  console.log(`skiff: ${sig} received, shutting down`);
  await running.stop();
  console.log('skiff: stopped');
  return 0;
}

const commands: Record<string, { run: Command; summary: string }> = {
  server: { run: serverCommand, summary: 'Run the control plane (API server, store, scheduler, controllers)' },
  scheduler: { run: schedulerCommand, summary: 'Run kube-scheduler against a cluster (--kubeconfig)' },
  'controller-manager': { run: controllerManagerCommand, summary: 'Run kube-controller-manager against a cluster (--kubeconfig)' },
  'sim-nodes': { run: simNodesCommand, summary: 'Run simulated (kwok-style) nodes against a cluster (--kubeconfig --count N)' },
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
