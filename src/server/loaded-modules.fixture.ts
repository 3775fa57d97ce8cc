// Prints, one a line, the URL of every module the main thread resolves while importing the modules named by its
// arguments (file: URLs), for server-main-thread.test.ts. A resolve hook chained after tsx's records them in the loader's
// thread; asked over its port once the import is done, it answers with all it saw (the port keeps order).
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const hooks = `let port; const seen = [];
export async function initialize(d) { port = d.port; port.on('message', () => port.postMessage(seen)); }
export async function resolve(specifier, context, next) { const r = await next(specifier, context); seen.push(r.url); return r; }`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] });
const targets = process.argv.slice(2);
if (!targets.length) throw new Error('usage: loaded-modules.fixture.ts FILE-URL…');
for (const target of targets) await import(target);
port1.postMessage('list');
port1.once('message', (seen: string[]) => {
  process.stdout.write(`${[...new Set(seen)].join('\n')}\n`);
  port1.close();
});
