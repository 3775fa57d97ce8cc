import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRecorder } from '../../client/index.ts';
import { EventSink } from './event-sink.ts';
import { makePod } from './testing.ts';

class FakeRecorder {
  written: string[] = [];
  private release: (() => void)[] = [];
  event(_obj: unknown, _type: string, reason: string): void {
    this.written.push(reason);
  }
  flush(): Promise<void> {
    return new Promise((r) => this.release.push(r));
  }
  releaseAll(): void {
    for (const r of this.release.splice(0)) r();
  }
}

test('events beyond the queue bound are dropped; stop discards the rest', async () => {
  const rec = new FakeRecorder();
  const sink = new EventSink(rec as unknown as EventRecorder, 3, 2);
  const pod = makePod('p');
  for (let i = 0; i < 6; i++) sink.event(pod, 'Normal', `e${i}`, 'm');
  // the first went to the recorder at once; three more fit in the queue; two were dropped
  assert.deepEqual(rec.written, ['e0']);
  assert.equal(sink.dropped, 2);
  rec.releaseAll();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(rec.written, ['e0', 'e1', 'e2'], 'the next batch of two');
  const stopped = sink.stop(1000);
  rec.releaseAll();
  await stopped;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(rec.written, ['e0', 'e1', 'e2'], 'e3 was discarded at stop');
});
