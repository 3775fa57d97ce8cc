import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.ts';
import { carryOverAllocatedValues } from './service-update.ts';

const stored: KubeObject = {
  metadata: { name: 'web' },
  spec: { type: 'NodePort', clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'], ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'https', port: 443, nodePort: 30443 }] },
};

test('omitted cluster IPs and node ports come from the stored service', () => {
  const next: KubeObject = { metadata: { name: 'web' }, spec: { type: 'NodePort', ports: [{ name: 'http', port: 8080 }, { name: 'https', port: 443 }] } };
  carryOverAllocatedValues(next, stored);
  assert.deepEqual(next.spec, {
    type: 'NodePort', clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'],
    ports: [{ name: 'http', port: 8080, nodePort: 30080 }, { name: 'https', port: 443, nodePort: 30443 }],
  });
});

test('explicit values win; a node port already taken by another port is not reused; ExternalName gets nothing', () => {
  const next: KubeObject = { spec: { type: 'NodePort', clusterIP: '10.43.0.99', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443, nodePort: 30080 }] } };
  carryOverAllocatedValues(next, stored);
  const spec = next.spec as { clusterIP: string; ports: { nodePort?: number }[] };
  assert.equal(spec.clusterIP, '10.43.0.99');
  assert.equal(spec.ports[0].nodePort, undefined);
  const ext: KubeObject = { spec: { type: 'ExternalName', externalName: 'example.com' } };
  carryOverAllocatedValues(ext, stored);
  assert.deepEqual(ext.spec, { type: 'ExternalName', externalName: 'example.com' });
  const clusterIP: KubeObject = { spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80 }] } };
  carryOverAllocatedValues(clusterIP, stored);
  assert.equal((clusterIP.spec as { ports: { nodePort?: number }[] }).ports[0].nodePort, undefined);
  assert.equal((clusterIP.spec as { clusterIP?: string }).clusterIP, '10.43.0.20');
});
