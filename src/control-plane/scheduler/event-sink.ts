// A bounded queue in front of the EventRecorder, as upstream's event broadcaster (a 1,000-deep queue that drops
// when full): a burst of thousands of Scheduled events must neither slow binding by competing for the API nor leave
// an unbounded backlog writing after the scheduler stopped. Events go to the recorder in small batches.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { EventRecorder, EventType } from '../../client/index.ts';

export class EventSink {
  private pending: [Pod, EventType, string, string][] = [];
  private pumping = false;
  private stopped = false;
  dropped = 0;

  constructor(private readonly recorder: EventRecorder, private readonly max = 1000, private readonly batch = 50) {}

  event(pod: Pod, type: EventType, reason: string, message: string): void {
    if (this.stopped) return;
    if (this.pending.length >= this.max) {
      this.dropped++;
      return;
    }
    this.pending.push([pod, type, reason, message]);
    if (!this.pumping) void this.pump();
  }

  /** Drops what is still queued and waits (at most graceMs) for the batch being written. */
  async stop(graceMs = 2000): Promise<void> {
    this.stopped = true;
    this.pending = [];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.recorder.flush(), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.pending.length && !this.stopped) {
        for (const e of this.pending.splice(0, this.batch)) this.recorder.event(...e);
        await this.recorder.flush();
      }
    } finally {
      this.pumping = false;
    }
  }
}
