// The contract between `skiff server` and a component it hosts off the API server's event loop. A component is a
// module exporting a HostedMain: it gets structured-cloneable options (a kubeconfig path, CIDRs…), calls ready()
// once it is serving, and runs until ctx.signal aborts. Returning while the signal is live, or throwing, means the
// component died: the supervisor (hosted-component.ts) restarts it. Both sides share only this file and the
// runner (component-runner.ts).

export interface HostedContext {
  /** Aborted when the server stops the component; the main then returns promptly. */
  signal: AbortSignal;
  /** Call once the component is up (its clients made, its loops started). */
  ready(): void;
  /**
   * Hears what the supervisor sends this instance while it runs (HostedComponent.send, and the spec's input at
   * start), in order; what came before the call is replayed to it. For state only the server's main thread has
   * (the mirror-pod publisher gets the supervised components' states this way).
   */
  onInput(fn: (data: unknown) => void): void;
}

export type HostedMain<O> = (options: O, ctx: HostedContext) => Promise<void>;

/** What the component's thread or process is told at start. */
export interface ComponentInit {
  name: string;
  /** file: URL of the module holding the main. */
  module: string;
  /** Exported name of the main in that module. */
  export: string;
  options: unknown;
}

/** The environment variable carrying a child process's ComponentInit (JSON). */
export const componentInitVariable = 'SKIFF_HOSTED_COMPONENT';

export type ToComponent = { type: 'stop' } | { type: 'input'; data: unknown };
export type ToSupervisor = { type: 'ready'; threadId: number; pid: number } | { type: 'failed'; error: string };

/** How a component talks to its supervisor: a worker's parentPort or a child process's IPC channel. */
export interface SupervisorChannel {
  post(m: ToSupervisor): void;
  onMessage(fn: (m: ToComponent) => void): void;
}

/**
 * The URL of a module beside `base` (an import.meta.url), with base's own extension: `.ts` when the sources run
 * through tsx (tests, `npm run skiff`), `.js` from the compiled dist/. Worker entries are URLs, not import
 * specifiers, so the compiler's extension rewriting does not reach them.
 */
export function siblingModule(base: string, relative: string): string {
  const ext = base.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`${relative}${ext}`, base).href;
}
