// A kubeconfig with the credentials embedded, as `kubectl` and client libraries read it.
import { stringify } from 'yaml';
import type { KeyAndCert } from '../pki/certs.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

export function kubeconfigYaml(opts: { server: string; ca: string; client?: KeyAndCert; token?: string; name?: string }): string {
  const name = opts.name ?? 'default';
  const user: Record<string, string> = {};
  if (opts.client) {
    user['client-certificate-data'] = b64(opts.client.certPem);
    user['client-key-data'] = b64(opts.client.keyPem);
  }
  if (opts.token) user.token = opts.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.ca) } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
    users: [{ name, user }],
  });
}
