// Turns a kubeconfig (or a pod's in-cluster service account) into the ClientConfig a RestClient needs:
// server URL, CA, client certificate/key, bearer token. File references resolve relative to the kubeconfig's own
// directory, *-data fields are base64, and the current-context (or an explicit one) picks cluster and user.
import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ClientConfig {
  /** e.g. "https://127.0.0.1:6443" (no trailing slash). */
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  insecureSkipTLSVerify?: boolean;
  /** Server name to verify the certificate against, when it differs from the URL host. */
  tlsServerName?: string;
  /** The context's default namespace ("default" when unset). */
  namespace: string;
}

interface NamedCluster {
  name: string;
  cluster?: {
    server?: string;
    'certificate-authority'?: string;
    'certificate-authority-data'?: string;
    'insecure-skip-tls-verify'?: boolean;
    'tls-server-name'?: string;
  };
}

interface NamedUser {
  name: string;
  user?: {
    'client-certificate'?: string;
    'client-certificate-data'?: string;
    'client-key'?: string;
    'client-key-data'?: string;
    token?: string;
    tokenFile?: string;
  };
}

interface NamedContext {
  name: string;
  context?: { cluster?: string; user?: string; namespace?: string };
}

interface KubeconfigFile {
  clusters?: NamedCluster[];
  users?: NamedUser[];
  contexts?: NamedContext[];
  'current-context'?: string;
}

export interface KubeconfigOptions {
  /** Use this context instead of current-context. */
  context?: string;
  /** Where relative file paths are resolved from (the kubeconfig's directory). */
  baseDir?: string;
}

function readRef(baseDir: string, path: string): Buffer {
  return readFileSync(isAbsolute(path) ? path : join(baseDir, path));
}

/** Reads one field either inline (base64 `*-data`) or from a file. */
function material(baseDir: string, data: string | undefined, file: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, 'base64');
  if (file) return readRef(baseDir, file);
  return undefined;
}

export function parseKubeconfig(text: string, opts: KubeconfigOptions = {}): ClientConfig {
  const doc = (parse(text) ?? {}) as KubeconfigFile;
  const baseDir = opts.baseDir ?? process.cwd();
  const ctxName = opts.context ?? doc['current-context'];
  const contexts = doc.contexts ?? [];
  const ctx = ctxName ? contexts.find((c) => c.name === ctxName) : contexts.length === 1 ? contexts[0] : undefined;
  if (!ctx) throw new Error(ctxName ? `context "${ctxName}" does not exist` : 'kubeconfig has no current-context');
  const cluster = (doc.clusters ?? []).find((c) => c.name === ctx.context?.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`cluster "${ctx.context?.cluster ?? ''}" has no server`);
  const user = (doc.users ?? []).find((u) => u.name === ctx.context?.user)?.user ?? {};
  const token = user.token ?? (user.tokenFile ? readRef(baseDir, user.tokenFile).toString('utf8').trim() : undefined);
  return {
    server: cluster.server.replace(/\/+$/, ''),
    ca: material(baseDir, cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: material(baseDir, user['client-certificate-data'], user['client-certificate']),
    key: material(baseDir, user['client-key-data'], user['client-key']),
    token: token || undefined,
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: cluster['tls-server-name'],
    namespace: ctx.context?.namespace || 'default',
  };
}

/** The kubeconfig path kubectl would use: the first existing file in $KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const listed = (env.KUBECONFIG ?? '').split(':').filter((p) => p.length > 0);
  return listed.find((p) => existsSync(p)) ?? listed[0] ?? join(homedir(), '.kube', 'config');
}

export function loadKubeconfig(path?: string, opts: Omit<KubeconfigOptions, 'baseDir'> = {}): ClientConfig {
  const file = resolve(path ?? defaultKubeconfigPath());
  return parseKubeconfig(readFileSync(file, 'utf8'), { ...opts, baseDir: dirname(file) });
}

const saDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Inside a pod: KUBERNETES_SERVICE_HOST/PORT plus the mounted service account token, CA and namespace. */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env, dir = saDir): ClientConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const nsFile = join(dir, 'namespace');
  return {
    server: `https://${hostPart}:${port}`,
    token: readFileSync(join(dir, 'token'), 'utf8').trim(),
    ca: readFileSync(join(dir, 'ca.crt')),
    namespace: existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : 'default',
  };
}
