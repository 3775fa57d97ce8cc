// The per-run allocation of isolation.ts: every slot's networks and ports are disjoint from every other slot's and
// from the product defaults, and a slot is held by one claimer at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mustParseCidr } from '../../src/api/net/ipv4.ts';
import { claimRun, runResources, slotCount } from './isolation.ts';

function range(cidr: string): [number, number] {
  const { base, bits } = mustParseCidr(cidr);
  return [base, base + 2 ** (32 - bits) - 1];
}

const overlaps = (a: [number, number], b: [number, number]): boolean => a[0] <= b[1] && b[0] <= a[1];

test('no two slots share a network, a NodePort or a name, and none meets the product defaults', () => {
  const runs = Array.from({ length: slotCount }, (_, i) => runResources(i));
  const networks = runs.flatMap((r) => [r.clusterCidr, r.serviceCidr, ...[0, 1, 2, 3].map((k) => `${r.net(k)}.0/24`)]);
  const all = [...networks, '10.42.0.0/16', '10.43.0.0/16'].map(range);
  for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) assert.ok(!overlaps(all[i]!, all[j]!), `${i} and ${j} overlap`);
  const ports = runs.map((r) => r.nodePortRange.split('-').map(Number) as [number, number]);
  for (const [lo, hi] of ports) assert.ok(lo >= 30000 && hi <= 32767 && lo <= hi);
  for (let i = 0; i < ports.length; i++) for (let j = i + 1; j < ports.length; j++) assert.ok(!overlaps(ports[i]!, ports[j]!));
  for (const r of runs) {
    const [low, high] = range(r.serviceCidr);
    const dns = mustParseCidr(`${r.clusterDns}/32`).base;
    assert.ok(dns > low + 1 && dns < high, `${r.clusterDns} inside ${r.serviceCidr}, not its kubernetes Service IP`);
    assert.ok(r.name('skiff-tour').length <= 15, 'a link name fits IFNAMSIZ');
  }
  assert.equal(new Set(runs.map((r) => r.id)).size, slotCount);
  assert.throws(() => runResources(slotCount), /outside/);
});

test('a slot is held by one run at a time and free again once released', async () => {
  const a = await claimRun();
  const b = await claimRun();
  try {
    assert.notEqual(a.slot, b.slot);
    assert.notEqual(a.serviceCidr, b.serviceCidr);
  } finally {
    await b.release();
  }
  // while held, the kernel refuses the slot's name to anyone else; released, it is free again (checked directly on
  // the name, not by claiming every slot, which would starve test files running beside this one)
  const bind = (slot: number): Promise<boolean> => new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ path: `\0skiff-e2e-slot-${slot}` }, () => srv.close(() => resolve(true)));
  });
  assert.equal(await bind(a.slot), false);
  await a.release();
  assert.equal(await bind(a.slot), true);
});
