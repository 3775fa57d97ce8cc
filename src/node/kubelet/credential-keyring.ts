// The registry credentials a pod's image pull may use, as upstream's credentialprovider keyring: the pod's
// imagePullSecrets of type kubernetes.io/dockerconfigjson (`{"auths": {...}}`) and legacy kubernetes.io/dockercfg
// (the bare map) become entries keyed by registry host plus an optional path ("https://", "/v1/", "/v2/" and a
// trailing "/" dropped). An image matches a key when the ports are equal, the host has as many dot-separated parts
// with each matching (a "*" glob per part), and the repository path starts with the key's path; every match is
// returned, longest key first, and credentials for index.docker.io cover Docker Hub images. Pure: no I/O.
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { AuthConfig } from '../cri/types.ts';

export const dockerConfigJsonType = 'kubernetes.io/dockerconfigjson';
export const dockerCfgType = 'kubernetes.io/dockercfg';

interface DockerConfigEntry {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
}

const defaultRegistryHost = 'index.docker.io';

/** Docker's reference normalisation: "busybox:1" -> "docker.io/library/busybox"; tag and digest dropped. */
export function repositoryOf(image: string): string {
  let name = image.split('@')[0]!;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  const first = name.indexOf('/');
  const head = first < 0 ? '' : name.slice(0, first);
  if (first < 0 || !(head.includes('.') || head.includes(':') || head === 'localhost')) {
    return `docker.io/${first < 0 ? `library/${name}` : name}`;
  }
  return head === 'index.docker.io' ? `docker.io${name.slice(first)}` : name;
}

/** Upstream's isDefaultRegistryMatch: the image is pulled from Docker Hub. */
function isDefaultRegistry(image: string): boolean {
  const first = image.split('/')[0]!;
  if (!first) return false;
  if (!image.includes('/')) return true;
  if (first === 'docker.io' || first === 'index.docker.io') return true;
  return !/[.:]/.test(first) && first !== 'localhost';
}

/** "host[:port][/path]" without scheme; undefined when the location is not a URL. */
function keyOf(location: string): string | undefined {
  let url: URL;
  try {
    url = new URL(/^https?:\/\//.test(location) ? location : `https://${location}`);
  } catch {
    return undefined;
  }
  let path = url.pathname;
  if (path.startsWith('/v2/') || path.startsWith('/v1/')) path = path.slice(3);
  return path && path !== '/' ? url.host + path : url.host;
}

function splitHost(s: string): { parts: string[]; port: string; path: string } {
  const slash = s.indexOf('/');
  const hostPort = slash < 0 ? s : s.slice(0, slash);
  const path = slash < 0 ? '' : s.slice(slash);
  const m = /^(.*?)(?::(\d*))?$/.exec(hostPort)!;
  return { parts: m[1]!.toLowerCase().split('.'), port: m[2] ?? '', path };
}

/** filepath.Match for one host label: "*" any run of characters, "?" one; nothing else is special here. */
function globMatch(glob: string, target: string): boolean {
  const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]*').replace(/\?/g, '[^.]')}$`);
  return re.test(target);
}

/** Upstream's URLsMatch: equal ports, as many host labels each matching its glob, and the path a prefix. */
export function keyMatches(key: string, repository: string): boolean {
  const g = splitHost(key);
  const t = splitHost(repository);
  if (g.port !== t.port || g.parts.length !== t.parts.length || !t.path.startsWith(g.path)) return false;
  return g.parts.every((p, i) => globMatch(p, t.parts[i]!));
}

function decodeAuth(e: DockerConfigEntry): AuthConfig {
  let { username = '', password = '' } = e;
  if (e.auth && !username && !password) {
    const plain = Buffer.from(e.auth, 'base64').toString('utf8');
    const at = plain.indexOf(':');
    if (at > 0) {
      username = plain.slice(0, at);
      password = plain.slice(at + 1);
    }
  }
  return { username, password, ...(e.auth ? { auth: e.auth } : {}) };
}

/** The registry entries of one secret (none when it is not a docker config, or does not parse). */
function entriesOf(secret: Secret): Record<string, DockerConfigEntry> {
  const data = secret.data ?? {};
  const parse = (b64: string | undefined): unknown => {
    if (!b64) return undefined;
    try {
      return JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
    } catch {
      return undefined;
    }
  };
  if (secret.type === dockerConfigJsonType) {
    const doc = parse(data['.dockerconfigjson']) as { auths?: Record<string, DockerConfigEntry> } | undefined;
    return doc?.auths && typeof doc.auths === 'object' ? doc.auths : {};
  }
  if (secret.type === dockerCfgType) {
    const doc = parse(data['.dockercfg']) as Record<string, DockerConfigEntry> | undefined;
    return doc && typeof doc === 'object' ? doc : {};
  }
  return {};
}

export class CredentialKeyring {
  private readonly creds = new Map<string, AuthConfig[]>();
  /** Keys in reverse lexical order, as upstream: a longer (more specific) key before its prefix. */
  private readonly index: string[];

  constructor(secrets: Secret[]) {
    for (const s of secrets) {
      for (const [location, entry] of Object.entries(entriesOf(s))) {
        const key = keyOf(location);
        if (!key || !entry || typeof entry !== 'object') continue;
        this.creds.set(key, [...(this.creds.get(key) ?? []), decodeAuth(entry)]);
      }
    }
    this.index = [...this.creds.keys()].sort().reverse();
  }

  /** Credentials to try, in order, for pulling image (empty: pull without credentials). */
  lookup(image: string): AuthConfig[] {
    const repo = repositoryOf(image);
    const out = this.index.filter((k) => keyMatches(k, repo)).flatMap((k) => this.creds.get(k)!);
    if (out.length) return out;
    if (isDefaultRegistry(repo)) return this.creds.get(defaultRegistryHost) ?? [];
    return [];
  }
}
