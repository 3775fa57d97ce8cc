// What a host without the node's OS packages is told, without uninstalling anything: the packages are hidden by
// running with a PATH that lacks their programs. `scripts/up.sh --no-install` names what is missing and exits 1
// before it compiles or installs anything (apt-get and npm on that PATH only record that they were run, which must
// not happen); `skiff server` run directly names the missing packages and what to do. The two lists — up.sh's and
// src/server/host-packages.ts — are the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodePackages } from '../../src/server/host-packages.ts';
import { runFile, skiffBin } from '../support/process.ts';

const upScript = fileURLToPath(new URL('../../scripts/up.sh', import.meta.url));

/** A PATH of one directory holding only `apt-get` and `npm` that record being run. */
function barePath(dir: string): { path: string; ran: () => boolean } {
  const marker = join(dir, 'ran');
  for (const name of ['apt-get', 'npm']) writeFileSync(join(dir, name), `#!/bin/sh\necho "$0 $*" >> ${marker}\n`, { mode: 0o755 });
  return { path: dir, ran: () => existsSync(marker) };
}

// the packages found by absolute path (CNI plugins, busybox) are there or not on this host: expected accordingly
const cniAndBusybox = (): string[] => [
  ...(['bridge', 'host-local', 'portmap', 'loopback'].every((p) => existsSync(`/usr/lib/cni/${p}`)) ? [] : ['containernetworking-plugins']),
  ...(existsSync('/bin/busybox') ? [] : ['busybox-static']),
];

test('up.sh --no-install names the missing packages, exits 1 and installs nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-preflight-'));
  try {
    const bare = barePath(dir);
    const r = await runFile('/bin/bash', [upScript, '--no-install'], { PATH: bare.path, HOME: dir });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const missing = ['containerd', 'runc', ...cniAndBusybox(), 'nftables', 'conntrack'];
    assert.match(r.stderr, new RegExp(`missing: ${missing.join(' ')} \\(--no-install: installing nothing;\n.*apt-get install -y ${missing.join(' ')}`));
    assert.equal(bare.ran(), false, 'apt-get or npm was run');
    // without kube-proxy, nft and conntrack are not needed
    const noProxy = await runFile('/bin/bash', [upScript, '--no-install', '--disable-kube-proxy'], { PATH: bare.path, HOME: dir });
    assert.match(noProxy.stderr, new RegExp(`missing: ${['containerd', 'runc', ...cniAndBusybox()].join(' ')} \\(`));
    assert.equal(bare.ran(), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('skiff server without the packages names them and exits 1 before starting anything', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-preflight-'));
  try {
    const r = await runFile(process.execPath, [skiffBin, 'server', '--data-dir', join(dir, 'data'), '--https-listen-port', '0'], { PATH: dir, HOME: dir });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /listening/);
    if (process.getuid?.() !== 0) {
      assert.match(r.stderr, /needs root: run it as root, or pass --disable-agent/);
      return;
    }
    const missing = ['containerd', 'runc', ...cniAndBusybox(), 'nftables', 'conntrack'].join(' ');
    assert.match(r.stderr, new RegExp(`skiff: this node lacks the OS packages ${missing}: install them \\(apt-get install -y ${missing}, or run sudo \\./scripts/up\\.sh, which does\\), or pass --disable-agent`));
    assert.equal(existsSync(join(dir, 'data', 'server', 'skiff.lock')), false, 'the data dir lock is released');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("up.sh checks the same packages as skiff server's preflight", () => {
  const script = readFileSync(upScript, 'utf8');
  for (const p of nodePackages({ proxy: 'nftables' })) {
    assert.match(script, new RegExp(`need\\+=\\(${p.name}\\)`), `up.sh does not install ${p.name}`);
    for (const prog of p.programs ?? []) assert.ok(script.includes(prog), `up.sh does not check ${prog}`);
    for (const f of p.files ?? []) assert.ok(script.includes(f.split('/').pop()!), `up.sh does not check ${f}`);
  }
  assert.equal([...script.matchAll(/need\+=\((\S+)\)/g)].length, nodePackages({ proxy: 'nftables' }).length, 'up.sh checks a package the preflight does not');
});
