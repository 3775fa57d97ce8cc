// The supervised components' states, carried from `skiff server`'s main thread (where their supervisors live,
// hosted-component.ts) to the mirror-pod publisher's worker thread (mirror-pods-main.ts). The main thread sends a
// whole snapshot, every component by its supervisor's name, on each change (five small records: no diffing on the
// API server's loop); the worker keeps the latest and tells each MirrorSource whose own state moved. Pure: no API
// client here, so the main thread loads none for it.
import { EventEmitter } from 'node:events';
import type { HostedComponent, HostedComponentState } from './hosted-component.ts';
import type { MirrorComponent } from './mirror-pod.ts';

/** One mirror pod to keep, as data a worker can be sent (structured clone keeps the Dates). */
export type MirrorSourceSpec =
  /** A part of the publishing process itself (the API server, its embedded store): running since then. */
  | { component: MirrorComponent; steadySince: Date }
  /** A supervised component, by its supervisor's name. */
  | { component: MirrorComponent; hosted: string };

/** Each supervised component's state, by its supervisor's name. */
export type StateSnapshot = Record<string, HostedComponentState>;

export function snapshotOf(hosted: readonly Pick<HostedComponent, 'name' | 'state'>[]): StateSnapshot {
  return Object.fromEntries(hosted.map((h) => [h.name, h.state()]));
}

/** The latest snapshot on the worker's side: what a source's state() reads, and a change event per component. */
export class LatestStates {
  private latest: StateSnapshot | undefined;
  private readonly changes = new EventEmitter();
  private readonly arrived: Promise<void>;
  private resolveArrived!: () => void;

  constructor() {
    this.arrived = new Promise((resolve) => (this.resolveArrived = resolve));
  }

  /** Resolves once the first snapshot is in (the sources have nothing true to show before). */
  get first(): Promise<void> {
    return this.arrived;
  }

  update(next: StateSnapshot): void {
    const before = this.latest;
    this.latest = next;
    this.resolveArrived();
    for (const name of Object.keys(next)) {
      if (!before || JSON.stringify(before[name]) !== JSON.stringify(next[name])) this.changes.emit(name);
    }
  }

  /** The state of the component `name`; one the snapshot lacks shows as stopped. */
  state(name: string): HostedComponentState {
    const s = this.latest?.[name];
    return s ? { ...s } : { phase: 'stopped', restarts: 0, since: new Date(0) };
  }

  /** Calls fn whenever the component's state moved; returns how to stop. */
  onChange(name: string, fn: () => void): () => void {
    this.changes.on(name, fn);
    return () => void this.changes.off(name, fn);
  }
}
