// Worker-thread side of a hosted component: loads the module named in workerData, runs its main until the
// supervisor posts {type:'stop'}, reports readiness and failure, and ends the thread. A main that returns on its
// own (without being stopped) or throws ends the thread with exit code 1, which the supervisor treats as a crash.
import { parentPort, threadId, workerData } from 'node:worker_threads';
import type { HostedMain, ToSupervisor, ToWorker, WorkerInit } from './hosted-main.ts';

async function run(port: NonNullable<typeof parentPort>, init: WorkerInit): Promise<number> {
  const post = (m: ToSupervisor): void => port.postMessage(m);
  const stop = new AbortController();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'stop') stop.abort();
  });
  try {
    const mod = (await import(init.module)) as Record<string, unknown>;
    const main = mod[init.export];
    if (typeof main !== 'function') throw new Error(`${init.module} exports no function ${init.export}`);
    await (main as HostedMain<unknown>)(init.options, {
      signal: stop.signal,
      ready: () => post({ type: 'ready', threadId, pid: process.pid }),
    });
    if (stop.signal.aborted) return 0;
    post({ type: 'failed', error: `${init.name} ended on its own` });
  } catch (err) {
    post({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
  return 1;
}

if (!parentPort) throw new Error('component-worker.ts runs only as a worker thread (see hosted-component.ts)');
// process.exit in a worker ends only this thread: whatever the component left open (sockets, timers) goes with it
run(parentPort, workerData as WorkerInit).then((code) => process.exit(code));
