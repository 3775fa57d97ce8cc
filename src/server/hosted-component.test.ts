import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId as mainThreadId } from 'node:worker_threads';
import { waitFor } from '../../test/support/wait.ts';
import { registry } from '../control-plane/apiserver/metrics.ts';
import { HostedComponent, type HostedComponentEvents, type HostedComponentSpec } from './hosted-component.ts';
import { siblingModule } from './hosted-main.ts';
import type { FixtureMode } from './hosted-component.fixture.ts';

const fixture = siblingModule(import.meta.url, './hosted-component.fixture');

function hosted(name: string, mode: FixtureMode, spec: Partial<HostedComponentSpec> = {}) {
  const lines: string[] = [];
  const component = new HostedComponent({
    name,
    module: fixture,
    options: { mode },
    backoff: { initialMs: 20, maxMs: 80, resetAfterMs: 60_000 },
    log: (line) => lines.push(line),
    ...spec,
  });
  return { component, lines };
}

async function metric(name: string, component: string): Promise<number | undefined> {
  const m = await registry.getSingleMetric(name)?.get();
  return m?.values.find((v) => v.labels.component === component)?.value;
}

test('a component runs in a worker thread of its own and reports ready', async (t) => {
  const { component, lines } = hosted('fixture-steady', 'steady');
  t.after(() => component.stop());
  await component.start();
  assert.notEqual(component.threadId, undefined);
  assert.notEqual(component.threadId, mainThreadId);
  assert.match(lines.join('\n'), new RegExp(`fixture-steady running in worker thread ${component.threadId} \\(pid ${process.pid}\\)`));
  assert.equal(await metric('skiff_hosted_component_up', 'fixture-steady'), 1);
  assert.equal(component.up, true);
  await component.stop();
  assert.equal(await metric('skiff_hosted_component_up', 'fixture-steady'), 0);
  assert.equal(component.up, false);
  assert.equal(component.restarts, 0);
});

test('a killed component is restarted, logged and counted', async (t) => {
  const { component, lines } = hosted('fixture-killed', 'steady');
  t.after(() => component.stop());
  await component.start();
  const first = component.threadId;
  const restarted = once(component, 'ready');
  await component.kill();
  const [second] = (await restarted) as HostedComponentEvents['ready'];
  assert.notEqual(second.threadId, first);
  assert.equal(component.restarts, 1);
  assert.match(lines.join('\n'), new RegExp(`fixture-killed \\(worker thread ${first}\\) died: exit code 1; restart 1 in 20ms`));
  assert.equal(await metric('skiff_hosted_component_restarts_total', 'fixture-killed'), 1);
});

test('a component that keeps ending is restarted with exponential backoff up to the cap', async (t) => {
  const { component, lines } = hosted('fixture-ending', 'end-after-ready');
  t.after(() => component.stop());
  await component.start();
  while (component.restarts < 4) await once(component, 'exit');
  const delays = lines.filter((l) => l.includes('died')).map((l) => /in (\d+)ms$/.exec(l)?.[1]);
  assert.deepEqual(delays.slice(0, 4), ['20', '40', '80', '80']);
  assert.match(lines.join('\n'), /fixture-ending \(worker thread \d+\) died: fixture-ending ended on its own/);
});

test('an exception thrown in the component is reported with its message and the component restarted', async (t) => {
  const { component, lines } = hosted('fixture-throws', 'throw-after-ready');
  t.after(() => component.stop());
  await component.start();
  await once(component, 'ready');
  assert.match(lines.join('\n'), /fixture-throws \(worker thread \d+\) died: Error: boom outside any promise/);
});

test('a component that dies before it is ready fails start() with its error', async () => {
  const { component } = hosted('fixture-bad', 'fail-before-ready');
  await assert.rejects(component.start(), /fixture-bad failed to start: Error: bad configuration/);
  assert.equal(component.restarts, 0);
});

test('stop() terminates a component that ignores the stop request after the bound', async () => {
  const { component, lines } = hosted('fixture-stuck', 'ignore-stop', { stopTimeoutMs: 200 });
  await component.start();
  const exited = once(component, 'exit');
  await component.stop();
  await exited;
  assert.match(lines.join('\n'), /fixture-stuck did not stop within 200ms; killing it/);
  assert.equal(component.restarts, 0);
});

test('a component can run in a child process of its own, and is restarted when killed', async (t) => {
  const { component, lines } = hosted('fixture-process', 'steady', { isolation: 'process' });
  t.after(() => component.stop());
  await component.start();
  const first = component.pid;
  assert.ok(first && first !== process.pid, `runs in pid ${first}`);
  assert.equal(component.threadId, 0);
  assert.match(lines.join('\n'), new RegExp(`fixture-process running in child process ${first}$`, 'm'));
  const restarted = once(component, 'ready');
  await component.kill();
  const [second] = (await restarted) as HostedComponentEvents['ready'];
  assert.notEqual(second.pid, first);
  assert.match(lines.join('\n'), new RegExp(`fixture-process \\(child process ${first}\\) died: signal SIGKILL; restart 1 in 20ms`));
  const exited = once(component, 'exit');
  await component.stop();
  const [how] = (await exited) as HostedComponentEvents['exit'];
  assert.equal(how.how, 'exit code 0');
});

/** False once the process is gone or a zombie (its parent died and nobody has reaped it yet). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

test('a component process ends when the server process hosting it is killed, though it keeps timers', async (t) => {
  const supervisor = new URL('./hosted-component.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(supervisor)}).then(async ({ HostedComponent }) => {
    const c = new HostedComponent({ name: 'orphan', module: ${JSON.stringify(fixture)}, options: { mode: 'ignore-stop' }, isolation: 'process', log: () => {} });
    await c.start();
    console.log('component pid ' + c.pid);
  })`;
  const server = spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => server.kill('SIGKILL'));
  let out = '';
  server.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const pid = Number(await waitFor('the component to start', () => /component pid (\d+)/.exec(out)?.[1], 30_000));
  t.after(() => {
    if (running(pid)) process.kill(pid, 'SIGKILL');
  });
  assert.equal(running(pid), true);
  server.kill('SIGKILL');
  await waitFor('the orphaned component to end', () => !running(pid), 10_000);
});

test('a component\'s output goes to its log file, a new file per instance; state() follows it through a crash', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-hosted-log-'));
  const { component } = hosted('fixture-logged', 'steady', { logFile: { dir, container: 'fixture-logged' } });
  t.after(async () => {
    await component.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const phases: string[] = [];
  component.on('change', () => phases.push(component.state().phase));
  await component.start();
  const current = join(dir, 'fixture-logged.log');
  const previous = join(dir, 'fixture-logged.previous.log');
  const logged = (path: string) => existsSync(path) && / stdout F fixture steady: started\n/.test(readFileSync(path, 'utf8'));
  await waitFor('the first instance\'s line in its log', async () => logged(current) || undefined);
  assert.equal(existsSync(previous), false);
  const restarted = once(component, 'ready');
  await component.kill();
  await restarted;
  assert.deepEqual(phases, ['starting', 'running', 'backoff', 'starting', 'running']);
  const s = component.state();
  assert.equal(s.restarts, 1);
  assert.equal(s.lastEnd?.how, 'exit code 1');
  assert.equal(s.lastEnd?.exitCode, 1);
  assert.ok(s.startedAt!.getTime() >= s.lastEnd!.finishedAt.getTime(), 'the new instance started after the old one ended');
  assert.equal(s.firstStartedAt!.getTime(), s.lastEnd!.startedAt.getTime());
  await waitFor('the second instance\'s line in a new file', async () => logged(current) || undefined);
  assert.equal(logged(previous), true);
  await component.stop();
  assert.equal(component.state().phase, 'stopped');
});

test('each instance gets the spec\'s input at start, and send() reaches the running one', async (t) => {
  // the fixture is ready only once told "go", and dies on any other input
  const { component, lines } = hosted('fixture-input', 'on-input', { input: () => 'go' });
  t.after(() => component.stop());
  await component.start();
  assert.equal(component.restarts, 0, lines.join('\n'));
  const first = component.threadId;
  const restarted = once(component, 'ready');
  component.send('crash');
  const [second] = (await restarted) as HostedComponentEvents['ready'];
  assert.notEqual(second.threadId, first, 'the new instance was told "go" too');
  assert.equal(component.restarts, 1);
  assert.match(lines.join('\n'), /fixture-input \(worker thread \d+\) died: Error: told crash/);
});
