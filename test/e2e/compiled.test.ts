// The shipped product is compiled JavaScript: `tsc -p tsconfig.build.json` plus scripts/copy-assets.mjs (what
// `npm run build` runs) emit a dist/ whose entry prints `skiff server --help` and runs a server with its hosted
// components, and whose CRI client finds its .proto, with no TypeScript loader: it runs beside a node_modules
// without tsx, esbuild or typescript. Built into a temp dir, so the repository's dist/ is untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { adminClient } from '../support/http.ts';
import { freePort } from '../support/process.ts';
import { waitFor } from '../support/wait.ts';
import { serverPortFlags } from '../support/isolation.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** A node_modules of symlinks to the repository's packages, without the TypeScript toolchain (tsx, esbuild,
 *  typescript): what the compiled product must run with. */
function runtimeModules(dir: string): void {
  const toolchain = new Set(['tsx', 'esbuild', '@esbuild', 'typescript', '.bin']);
  mkdirSync(dir);
  for (const name of readdirSync(join(repo, 'node_modules'))) {
    if (!toolchain.has(name)) symlinkSync(join(repo, 'node_modules', name), join(dir, name));
  }
}

test('the compiled dist/ entry runs skiff server --help and a server without a TypeScript loader', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'skiff-dist-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  // the layout of an installed package: package.json (type module), node_modules, generated/, dist/
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'skiff', type: 'module' }));
  runtimeModules(join(root, 'node_modules'));
  assert.throws(() => createRequire(join(root, 'dist', 'x.js')).resolve('tsx'), /Cannot find module 'tsx'/);
  symlinkSync(join(repo, 'generated'), join(root, 'generated'));
  await promisify(execFile)(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', join(repo, 'tsconfig.build.json'), '--outDir', join(root, 'dist')]);
  await promisify(execFile)(process.execPath, [join(repo, 'scripts/copy-assets.mjs'), join(root, 'dist')], { cwd: repo });
  // the kubelet's CRI client reads its .proto at run time: the compiled one must find it beside itself
  const cri = join(root, 'dist', 'node', 'cri', 'client.js');
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(cri)}); m.loadServices();`]);
  const entry = join(root, 'dist', 'cli', 'main.js');
  assert.match(readFileSync(entry, 'utf8'), /^#!\/usr\/bin\/env node\n/);

  const help = await promisify(execFile)(process.execPath, [entry, 'server', '--help']);
  assert.match(help.stdout, /^Usage: skiff server \[flags\]/);
  for (const group of ['(listener)', '(data)', '(db)', '(networking)', '(components)']) assert.ok(help.stdout.includes(`\n${group}\n`), group);

  const dataDir = join(root, 'data');
  const port = await freePort();
  const child = spawn(process.execPath, [entry, 'server', '--disable-agent', ...serverPortFlags, '--data-dir', dataDir, '--https-listen-port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => child.kill('SIGKILL'));
  await waitFor('the compiled server to listen', () => /API server listening/.test(out) || child.exitCode !== null, 60_000);
  assert.equal(child.exitCode, null, out);
  assert.match(out, /skiff: scheduler running in worker thread [1-9]\d* /);
  assert.match(out, /skiff: controller-manager running in worker thread [1-9]\d* /);
  // a hosted thread's own output reaches the server's once (passed on by its supervisor, not also piped by Node)
  await waitFor('the scheduler to say it started', () => /skiff scheduler: started/.test(out), 10_000);
  assert.equal(out.match(/skiff scheduler: started/g)?.length, 1, out);
  const c = adminClient(join(dataDir, 'server', 'cred', 'admin.kubeconfig'));
  assert.equal((await c.send('GET', '/api/v1/namespaces/kube-system')).status, 200);
  child.kill('SIGTERM');
  assert.equal(await exited, 0, out);
});
