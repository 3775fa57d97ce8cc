// The pod lifecycle event generator (upstream's generic PLEG): relists every sandbox and container from CRI each
// period and reports the pod key ("ns/name", from the kubelet's labels) of everything that appeared, changed state
// or disappeared since the last relist. The first relist reports every pod the runtime has, so a restarted
// kubelet looks again at pods it ran before, including those deleted from the API while it was down.
import { type Clock, realClock, sleep } from '../../client/index.ts';
import type { CriClient } from '../cri/client.ts';
import { podNameLabel, podNamespaceLabel } from './runtime-config.ts';

export class Pleg {
  private last = new Map<string, { key: string; state: string }>();
  private readonly clock: Clock;

  constructor(
    private readonly cri: Pick<CriClient, 'listPodSandbox' | 'listContainers'>,
    private readonly onChange: (key: string) => void,
    private readonly periodMs = 1000,
    clock?: Clock,
    private readonly log: (msg: string) => void = () => {},
  ) {
    this.clock = clock ?? realClock;
  }

  async relist(signal?: AbortSignal): Promise<void> {
    const [sandboxes, containers] = await Promise.all([this.cri.listPodSandbox({}, { signal }), this.cri.listContainers({}, { signal })]);
    const now = new Map<string, { key: string; state: string }>();
    const keyOf = (labels: Record<string, string>): string | undefined => {
      const ns = labels[podNamespaceLabel];
      const name = labels[podNameLabel];
      return ns && name ? `${ns}/${name}` : undefined;
    };
    for (const s of sandboxes) {
      const key = keyOf(s.labels);
      if (key) now.set(`s:${s.id}`, { key, state: s.state });
    }
    for (const c of containers) {
      const key = keyOf(c.labels);
      if (key) now.set(`c:${c.id}`, { key, state: c.state });
    }
    const changed = new Set<string>();
    for (const [id, v] of now) if (this.last.get(id)?.state !== v.state) changed.add(v.key);
    for (const [id, v] of this.last) if (!now.has(id)) changed.add(v.key);
    this.last = now;
    for (const key of changed) this.onChange(key);
  }

  async run(signal: AbortSignal): Promise<void> {
    do {
      try {
        await this.relist(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.log(`PLEG relist failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    } while (await sleep(this.clock, this.periodMs, signal));
  }
}
