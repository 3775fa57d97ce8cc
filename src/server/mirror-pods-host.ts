// `skiff server`'s side of the mirror-pod publisher: supervises it in a worker thread of its own (mirror-pods-main.ts)
// and keeps it informed, sending a snapshot of every hosted component's state (mirror-states.ts) to each new
// instance and on each change. The publisher is no pod itself: upstream's kubelet does this job and has none.
// Imports no API client: on the main thread, the API server's loop only forwards the supervisors' events.
import { HostedComponent } from './hosted-component.ts';
import { siblingModule } from './hosted-main.ts';
import type { MirrorPodsMainOptions } from './mirror-pods-main.ts';
import { snapshotOf } from './mirror-states.ts';

export interface HostMirrorPodsOptions extends MirrorPodsMainOptions {
  /** The supervised components whose states the pods show (the sources name them). */
  hosted: readonly HostedComponent[];
  /** How long stop() waits for the publisher before killing it. */
  stopTimeoutMs?: number;
}

/** The publisher's supervisor, not yet started (start() resolves once the publisher runs). */
export function hostMirrorPods(o: HostMirrorPodsOptions): HostedComponent {
  const { hosted, stopTimeoutMs, ...options } = o;
  const snapshot = () => snapshotOf(hosted);
  const publisher = new HostedComponent({
    name: 'mirror-pods', module: siblingModule(import.meta.url, './mirror-pods-main'), export: 'mirrorPods', options, input: snapshot, stopTimeoutMs,
  });
  const send = () => publisher.send(snapshot());
  for (const h of hosted) h.on('change', send);
  return publisher;
}
