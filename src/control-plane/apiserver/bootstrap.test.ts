// The objects bootstrap makes, read back through the API: the kubernetes Service with its Endpoints and the
// EndpointSlice kube-proxy programs (same address and port), as upstream's endpoint reconciler writes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { resourceRef } from '../../client/resource-ref.ts';
import { startApiServer } from '../../client/testing/apiserver.ts';

test('bootstrap: the kubernetes Service, its Endpoints and its EndpointSlice point at this API server', async () => {
  const api = await startApiServer();
  const client = api.client();
  try {
    const port = Number(new URL(api.url).port);
    const svc = await client.get<Service>(resourceRef('v1', 'services'), 'kubernetes', { namespace: 'default' });
    assert.equal(svc.spec?.clusterIP, '10.43.0.1');
    const ep = await client.get<Endpoints>(resourceRef('v1', 'endpoints'), 'kubernetes', { namespace: 'default' });
    assert.equal(ep.metadata?.labels?.['endpointslice.kubernetes.io/skip-mirror'], 'true');
    const slice = await client.get<EndpointSlice>(resourceRef('discovery.k8s.io/v1', 'endpointslices'), 'kubernetes', { namespace: 'default' });
    assert.equal(slice.metadata?.labels?.['kubernetes.io/service-name'], 'kubernetes');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.endpoints?.map((e) => [e.addresses, e.conditions?.ready]), [[['127.0.0.1'], true]]);
    assert.deepEqual(slice.ports, [{ name: 'https', port, protocol: 'TCP' }]);
  } finally {
    client.close();
    await api.stop();
  }
});
