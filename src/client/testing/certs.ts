// TEST ONLY: a throwaway CA with a server certificate for 127.0.0.1 and a client certificate, as PEM strings,
// so tests can exercise mTLS over the in-process transport.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

export async function makeTestPki(): Promise<TestPki> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 3_600_000);
  const caKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: 'CN=test-ca', notBefore, notAfter, keys: caKeys as webcrypto.CryptoKeyPair, signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const leaf = async (serial: string, subject: string, usage: string, san: x509.JsonGeneralName[]): Promise<[string, string]> => {
    const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const extensions: x509.Extension[] = [new x509.ExtendedKeyUsageExtension([usage])];
    if (san.length) extensions.push(new x509.SubjectAlternativeNameExtension(san));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial, subject, issuer: ca.subject, notBefore, notAfter, publicKey: keys.publicKey,
      signingKey: caKeys.privateKey, signingAlgorithm: alg, extensions,
    });
    return [cert.toString('pem'), await keyPem(keys.privateKey)];
  };
  const [serverCert, serverKey] = await leaf('02', 'CN=127.0.0.1', '1.3.6.1.5.5.7.3.1', [{ type: 'ip', value: '127.0.0.1' }]);
  const [clientCert, clientKey] = await leaf('03', 'CN=tester, O=system:masters', '1.3.6.1.5.5.7.3.2', []);
  return { ca: ca.toString('pem'), serverCert, serverKey, clientCert, clientKey };
}
