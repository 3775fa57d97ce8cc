// TEST ONLY: waits for a condition driven by real I/O (a loopback server answering), polling on the event loop.
// Tests use it to wait for effects, never to measure time; the limit only turns a hang into a clear failure (it
// is generous because the test machine is shared and loaded).
export async function until(cond: () => boolean | Promise<boolean>, what = 'condition', limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets pending promise callbacks and immediate I/O callbacks run. */
export function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
