// The server's data directory: CA and certificates, the join token (join-token.ts), the SQLite database and the
// admin kubeconfig. Made on first start, reused after (like k3s's /var/lib/rancher/k3s/server).
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { X509Certificate, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createCA, signLeaf, type KeyAndCert } from '../pki/certs.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { ensureJoinSecret, type JoinSecret } from './join-token.ts';
import { mergeKubeconfig } from './kubeconfig-merge.ts';

export { defaultDataDir } from './data-dir-lock.ts';

/** Control-plane components get identities of their own (upstream's user names), ready for RBAC. */
export const componentUsers = {
  scheduler: 'system:kube-scheduler',
  'controller-manager': 'system:kube-controller-manager',
  'kube-proxy': 'system:kube-proxy',
  // upstream's CoreDNS runs under this service account
  dns: 'system:serviceaccount:kube-system:coredns',
} as const;
export type Component = keyof typeof componentUsers;

export interface ServerCredentials {
  ca: KeyAndCert;
  serving: KeyAndCert;
  admin: KeyAndCert;
  components: Record<Component, KeyAndCert>;
  /** The API server's client certificate towards kubelets (upstream's apiserver-kubelet-client). */
  kubeletClient: KeyAndCert;
  /** The secret agents join with (never an API credential: the admin's is its client certificate). */
  join: JoinSecret;
  adminKubeconfig: string;
  /** Signs service account tokens (k3s's server/tls/service.key; upstream's --service-account-key-file). */
  serviceAccountKey: KeyObject;
}

/** The service account signing key: RSA 2048 as k3s makes it, kept in <tls>/service.key so tokens outlive restarts. */
function ensureServiceAccountKey(tls: string): KeyObject {
  const path = join(tls, 'service.key');
  if (existsSync(path)) return createPrivateKey(readFileSync(path, 'utf8'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return privateKey;
}

function readPair(dir: string, name: string): KeyAndCert | undefined {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  if (!existsSync(cert) || !existsSync(key)) return undefined;
  return { certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}

function writePair(dir: string, name: string, pair: KeyAndCert): void {
  writeFileSync(join(dir, `${name}.crt`), pair.certPem, { mode: 0o644 });
  writeFileSync(join(dir, `${name}.key`), pair.keyPem, { mode: 0o600 });
}

async function pair(dir: string, name: string, make: () => Promise<KeyAndCert>): Promise<KeyAndCert> {
  const existing = readPair(dir, name);
  if (existing) return existing;
  const made = await make();
  writePair(dir, name, made);
  return made;
}

export interface CredentialOptions {
  dataDir: string;
  /** Extra names and addresses on the serving certificate. */
  sans: { dns: string[]; ips: string[] };
  /** --token: the join token (a bare secret or k3s's K10 form). */
  token?: string;
}

export async function ensureCredentials(opts: CredentialOptions): Promise<ServerCredentials> {
  const tls = join(opts.dataDir, 'server', 'tls');
  const cred = join(opts.dataDir, 'server', 'cred');
  mkdirSync(tls, { recursive: true, mode: 0o700 });
  mkdirSync(cred, { recursive: true, mode: 0o700 });
  const ca = await pair(tls, 'server-ca', () => createCA(`skiff-server-ca@${Math.floor(Date.now() / 1000)}`));
  // The serving certificate is re-made every start so new SANs (flags) take effect; the CA stays.
  const serving = await signLeaf(ca, {
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...opts.sans.dns],
    ipAddresses: ['127.0.0.1', ...opts.sans.ips],
    usage: 'server',
  });
  writePair(tls, 'serving-kube-apiserver', serving);
  const admin = await pair(tls, 'client-admin', () => signLeaf(ca, { commonName: 'system:admin', organizations: ['system:masters'], usage: 'client' }));
  const components = {} as Record<Component, KeyAndCert>;
  for (const [name, user] of Object.entries(componentUsers) as [Component, string][]) {
    components[name] = await pair(tls, `client-${name}`, () => signLeaf(ca, { commonName: user, usage: 'client' }));
  }
  const kubeletClient = await pair(tls, 'client-kube-apiserver', () => signLeaf(ca, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client' }));
  const joinSecret = ensureJoinSecret(opts.dataDir, ca.certPem, opts.token);
  return {
    ca, serving, admin, components, kubeletClient, join: joinSecret, adminKubeconfig: join(cred, 'admin.kubeconfig'),
    serviceAccountKey: ensureServiceAccountKey(tls),
  };
}

/** Where a component's kubeconfig lives (written by writeAdminKubeconfig along with the admin's). */
export function componentKubeconfig(creds: ServerCredentials, component: Component): string {
  return join(dirname(creds.adminKubeconfig), `${component}.kubeconfig`);
}

/** Written once the server listens, so the URL carries the real port. */
export function writeAdminKubeconfig(creds: ServerCredentials, serverUrl: string): void {
  writeFileSync(creds.adminKubeconfig, kubeconfigYaml({ server: serverUrl, ca: creds.ca.certPem, client: creds.admin }), { mode: 0o600 });
  for (const component of Object.keys(componentUsers) as Component[]) {
    const text = kubeconfigYaml({ server: serverUrl, ca: creds.ca.certPem, client: creds.components[component] });
    writeFileSync(componentKubeconfig(creds, component), text, { mode: 0o600 });
  }
}

/**
 * --write-kubeconfig: Skiff's admin entry (named `skiff`) merged into the kubeconfig at `to`, other clusters and
 * contexts kept (a new file holds only Skiff's). Written beside it and renamed in, so a reader never sees half a
 * file; the private key is never readable beyond the owner before the requested mode is set. Returns the top
 * directory it had to make, if any (for `skiff uninstall`).
 */
export function writeKubeconfigCopy(from: string, path: string, mode: number): { madeDir?: string } {
  const madeDir = mkdirSync(dirname(path), { recursive: true });
  // a symlinked ~/.kube/config stays a symlink: its target is what gets written
  const to = existsSync(path) ? realpathSync(path) : path;
  const existing = existsSync(to) ? readFileSync(to, 'utf8') : undefined;
  const text = mergeKubeconfig(existing, readFileSync(from, 'utf8'), to);
  const tmp = `${to}.skiff-${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, mode);
  renameSync(tmp, to);
  return { madeDir };
}

// ---- Node identities (the kubelet in `skiff server`, and agents joining with the node token) ----------------
// A kubelet authenticates as upstream's node user: CN system:node:<name>, O system:nodes. The server's own
// kubelet gets its certificate from the data dir's CA directly; an agent trades the join token for one (node-join.ts).

export const nodeGroup = 'system:nodes';
export const nodeUser = (nodeName: string): string => `system:node:${nodeName}`;

/** A node client certificate signed by the cluster CA. */
export function signNodeClient(ca: KeyAndCert, nodeName: string): Promise<KeyAndCert> {
  return signLeaf(ca, { commonName: nodeUser(nodeName), organizations: [nodeGroup], usage: 'client' });
}

/** Where a node keeps its kubelet identity: <data-dir>/agent/{client-kubelet.crt,.key,kubelet.kubeconfig}. */
export function kubeletKubeconfigPath(dataDir: string): string {
  return join(dataDir, 'agent', 'kubelet.kubeconfig');
}

export function writeKubeletIdentity(dataDir: string, serverUrl: string, caPem: string, client: KeyAndCert): string {
  const dir = join(dataDir, 'agent');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writePair(dir, 'client-kubelet', client);
  writeFileSync(join(dir, 'server-ca.crt'), caPem, { mode: 0o644 });
  const path = kubeletKubeconfigPath(dataDir);
  writeFileSync(path, kubeconfigYaml({ server: serverUrl, ca: caPem, client }), { mode: 0o600 });
  return path;
}

/** Where an agent keeps its kube-proxy identity (k3s's names): <data-dir>/agent/{client-kube-proxy.crt,.key,kubeproxy.kubeconfig}. */
export function writeKubeProxyIdentity(dataDir: string, serverUrl: string, caPem: string, client: KeyAndCert): string {
  const dir = join(dataDir, 'agent');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writePair(dir, 'client-kube-proxy', client);
  const path = join(dir, 'kubeproxy.kubeconfig');
  writeFileSync(path, kubeconfigYaml({ server: serverUrl, ca: caPem, client }), { mode: 0o600 });
  return path;
}

/** The server's own kubelet: its certificate kept and reused while the node name stays the same. */
export async function ensureServerKubelet(dataDir: string, ca: KeyAndCert, nodeName: string, serverUrl: string): Promise<string> {
  const existing = readPair(join(dataDir, 'agent'), 'client-kubelet');
  const cert = existing && new X509Certificate(existing.certPem);
  // a renamed node, or a CA made anew, needs a new certificate
  const fits = cert && cert.subject.split('\n').includes(`CN=${nodeUser(nodeName)}`) && cert.checkIssued(new X509Certificate(ca.certPem));
  const client = existing && fits ? existing : await signNodeClient(ca, nodeName);
  return writeKubeletIdentity(dataDir, serverUrl, ca.certPem, client);
}
