import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addToHostRecord, hostRecordPath, readHostRecord } from './host-record.ts';

test('the host record accumulates across runs and keeps the first madeDir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-record-'));
  try {
    assert.equal(readHostRecord(dir), undefined);
    addToHostRecord(dir, { kubeconfigs: [{ path: '/etc/skiff/skiff.yaml', madeDir: '/etc/skiff' }], proxies: [{ mode: 'nftables', table: 'skiff-proxy' }], clusterCidrs: ['10.42.0.0/16'] });
    addToHostRecord(dir, { kubeconfigs: [{ path: '/etc/skiff/skiff.yaml' }, { path: '/root/.kube/config' }], proxies: [{ mode: 'nftables', table: 'skiff-proxy' }, { mode: 'iptables', table: 'skiff-proxy' }], clusterCidrs: ['10.42.0.0/16'] });
    assert.deepEqual(readHostRecord(dir), {
      kubeconfigs: [{ path: '/etc/skiff/skiff.yaml', madeDir: '/etc/skiff' }, { path: '/root/.kube/config' }],
      proxies: [{ mode: 'nftables', table: 'skiff-proxy' }, { mode: 'iptables', table: 'skiff-proxy' }],
      clusterCidrs: ['10.42.0.0/16'],
    });
    writeFileSync(hostRecordPath(dir), '{');
    assert.throws(() => readHostRecord(dir), /host-record\.json is damaged .*remove it to fall back to the defaults/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
