import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCA, signLeaf } from './certs.ts';

test('a leaf certificate verifies against its CA and carries the requested names', async () => {
  const ca = await createCA('skiff-ca');
  const leaf = await signLeaf(ca, { commonName: 'system:admin', organizations: ['system:masters'], usage: 'client' });
  const caCert = new X509Certificate(ca.certPem);
  const cert = new X509Certificate(leaf.certPem);
  assert.ok(cert.verify(caCert.publicKey));
  assert.ok(cert.checkIssued(caCert));
  assert.match(cert.subject, /CN=system:admin/);
  assert.match(cert.subject, /O=system:masters/);
  assert.equal(caCert.ca, true);
  assert.equal(cert.ca, false);
});

test('a serving certificate carries DNS and IP subject alternative names', async () => {
  const ca = await createCA('skiff-ca');
  const leaf = await signLeaf(ca, { commonName: 'kube-apiserver', dnsNames: ['localhost', 'kubernetes'], ipAddresses: ['127.0.0.1'], usage: 'server' });
  const cert = new X509Certificate(leaf.certPem);
  assert.ok(cert.checkHost('kubernetes'));
  assert.ok(cert.checkIP('127.0.0.1'));
});
