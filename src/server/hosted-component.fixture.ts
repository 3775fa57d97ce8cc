// Components for hosted-component.test.ts, each misbehaving in one way a real component might.
import type { HostedMain } from './hosted-main.ts';

export type FixtureMode = 'steady' | 'fail-before-ready' | 'end-after-ready' | 'throw-after-ready' | 'ignore-stop' | 'on-input';

const aborted = (signal: AbortSignal): Promise<void> => new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

export const main: HostedMain<{ mode: FixtureMode }> = async ({ mode }, ctx) => {
  console.log(`fixture ${mode}: started`); // what a log file test finds
  if (mode === 'fail-before-ready') throw new Error('bad configuration');
  if (mode === 'on-input') {
    // ready only once told "go" (the supervisor's input at start); dies on any other input
    const told = new Promise<never>((_, reject) => ctx.onInput((d) => (d === 'go' ? ctx.ready() : reject(new Error(`told ${String(d)}`)))));
    await Promise.race([told, aborted(ctx.signal)]);
    return;
  }
  ctx.ready();
  if (mode === 'end-after-ready') return;
  if (mode === 'throw-after-ready') {
    setTimeout(() => {
      throw new Error('boom outside any promise');
    }, 10);
  }
  if (mode === 'ignore-stop') await new Promise(() => setInterval(() => {}, 1000));
  await aborted(ctx.signal);
};
