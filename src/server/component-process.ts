// Entry of a hosted component's child process (see component-runner.ts for what runs in it). The init comes in
// the environment; the supervisor talks over the IPC channel, and when that channel closes (the server died,
// even by SIGKILL) the component ends too rather than run on unsupervised.
import { componentInitVariable, type ComponentInit, type ToComponent, type ToSupervisor } from './hosted-main.ts';
import { runComponent } from './component-runner.ts';

const raw = process.env[componentInitVariable];
const send = process.send?.bind(process);
if (!raw || !send) throw new Error('component-process.ts runs only as a child process of skiff server (see hosted-component.ts)');
delete process.env[componentInitVariable];
const orphaned = (): never => process.exit(1);
process.on('disconnect', orphaned);
let sent = Promise.resolve();
const channel = {
  post(m: ToSupervisor) {
    sent = new Promise((resolve) => send(m, undefined, {}, () => resolve()));
  },
  onMessage: (fn: (m: ToComponent) => void) => process.on('message', fn),
};
runComponent(JSON.parse(raw) as ComponentInit, channel).then(async (code) => {
  await sent; // the last report reaches the supervisor before the process ends
  process.off('disconnect', orphaned);
  process.exit(code);
});
