// Entry of a hosted component's worker thread (see component-runner.ts for what runs in it).
import { parentPort, workerData } from 'node:worker_threads';
import type { ComponentInit, ToComponent } from './hosted-main.ts';
import { runComponent } from './component-runner.ts';

const port = parentPort;
if (!port) throw new Error('component-worker.ts runs only as a worker thread (see hosted-component.ts)');
const channel = { post: port.postMessage.bind(port), onMessage: (fn: (m: ToComponent) => void) => port.on('message', fn) };
// process.exit in a worker ends only this thread: whatever the component left open (sockets, timers) goes with it
runComponent(workerData as ComponentInit, channel).then((code) => process.exit(code));
