// Child process for sqlite-crash.test.ts: creates keys in a loop and prints each one's index only after create()
// resolved, so every printed index is an acknowledged write the parent expects to find after kill -9. Waiting for
// each line to be written also returns to the event loop, so the parent hears of every acknowledgement.
import { openSqliteStore } from './sqlite.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: sqlite-crash-child.ts FILE');
const store = openSqliteStore(file, { compactIntervalMs: 0 });
for (let i = 0; ; i++) {
  await store.create(`/registry/configmaps/default/cm-${i}`, JSON.stringify({ i, pad: 'x'.repeat(200) }));
  await new Promise<void>((resolve, reject) => process.stdout.write(`${i}\n`, (err) => (err ? reject(err) : resolve())));
}
