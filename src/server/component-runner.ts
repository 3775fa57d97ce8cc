// The component side of hosting, whatever carries it (component-worker.ts in a worker thread,
// component-process.ts in a child process): loads the module named in the init, runs its main until the supervisor
// posts {type:'stop'}, passes on its inputs ({type:'input'}), and reports readiness and failure. Resolves to the
// exit code: 0 after a requested stop, 1 when the main returned on its own or threw, which the supervisor treats
// as a crash.
import { threadId } from 'node:worker_threads';
import type { ComponentInit, HostedMain, SupervisorChannel } from './hosted-main.ts';

export async function runComponent(init: ComponentInit, channel: SupervisorChannel): Promise<number> {
  const stop = new AbortController();
  // inputs that arrive before the main listens (it is still being imported) wait for it
  const pending: unknown[] = [];
  let onInput: ((data: unknown) => void) | undefined;
  channel.onMessage((m) => {
    if (m.type === 'stop') stop.abort();
    else if (onInput) onInput(m.data);
    else pending.push(m.data);
  });
  try {
    const mod = (await import(init.module)) as Record<string, unknown>;
    const main = mod[init.export];
    if (typeof main !== 'function') throw new Error(`${init.module} exports no function ${init.export}`);
    await (main as HostedMain<unknown>)(init.options, {
      signal: stop.signal,
      ready: () => channel.post({ type: 'ready', threadId, pid: process.pid }),
      onInput(fn) {
        onInput = fn;
        for (const data of pending.splice(0)) fn(data);
      },
    });
    if (stop.signal.aborted) return 0;
    channel.post({ type: 'failed', error: `${init.name} ended on its own` });
  } catch (err) {
    channel.post({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
  return 1;
}
