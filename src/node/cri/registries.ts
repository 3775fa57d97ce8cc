// k3s-style registries.yaml (<data-dir>/agent/etc/registries.yaml or --private-registry FILE) turned into
// containerd 1.6 CRI registry settings: `mirrors` maps a registry host (docker.io) to endpoints tried in order,
// `configs` gives a host its auth (username/password, auth, identitytoken) and TLS (insecure_skip_verify, CA,
// client cert). An http:// endpoint is plain HTTP. The file format is k3s's, so users' files carry over.
import { readFileSync, existsSync } from 'node:fs';
import { parse } from 'yaml';

export interface RegistriesConfig {
  mirrors?: Record<string, { endpoint?: string[]; rewrite?: Record<string, string> }>;
  configs?: Record<string, {
    auth?: { username?: string; password?: string; auth?: string; identitytoken?: string };
    tls?: { ca_file?: string; cert_file?: string; key_file?: string; insecure_skip_verify?: boolean };
  }>;
}

export function loadRegistries(file: string | undefined): RegistriesConfig | undefined {
  if (!file || !existsSync(file)) return undefined;
  const doc = (parse(readFileSync(file, 'utf8')) ?? {}) as RegistriesConfig;
  if (typeof doc !== 'object') throw new Error(`${file}: not a registries.yaml mapping`);
  return doc;
}

const q = (s: string): string => JSON.stringify(s);

/** The [plugins."io.containerd.grpc.v1.cri".registry] TOML section (empty when no config). */
export function registryToml(cfg: RegistriesConfig | undefined): string {
  if (!cfg) return '';
  const base = 'plugins."io.containerd.grpc.v1.cri".registry';
  const out: string[] = [];
  for (const [host, m] of Object.entries(cfg.mirrors ?? {})) {
    out.push(`  [${base}.mirrors.${q(host)}]`, `    endpoint = [${(m.endpoint ?? []).map(q).join(', ')}]`);
  }
  for (const [host, c] of Object.entries(cfg.configs ?? {})) {
    if (c.auth) {
      out.push(`  [${base}.configs.${q(host)}.auth]`);
      for (const [k, v] of Object.entries(c.auth)) if (v !== undefined) out.push(`    ${k} = ${q(String(v))}`);
    }
    if (c.tls) {
      out.push(`  [${base}.configs.${q(host)}.tls]`);
      for (const [k, v] of Object.entries(c.tls)) if (v !== undefined) out.push(`    ${k} = ${typeof v === 'boolean' ? String(v) : q(v)}`);
    }
  }
  return out.join('\n');
}
