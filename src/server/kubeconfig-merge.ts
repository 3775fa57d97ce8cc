// Merging Skiff's admin entry into a kubeconfig that holds other clusters (`--write-kubeconfig ~/.kube/config`), and
// taking it out again (`skiff uninstall`). Skiff's cluster, user and context are all named `skiff` (k3s names its
// entries `default`, which clashes with whatever else a user's kubeconfig holds); entries of that name are replaced,
// every other entry and field is kept as it was, and current-context becomes `skiff`. Pure text in, text out: the
// caller does the file I/O. A file that is not a kubeconfig is refused rather than overwritten.
import { parse, stringify } from 'yaml';

export const skiffEntryName = 'skiff';

interface Named {
  name?: unknown;
  [k: string]: unknown;
}

type Config = Record<string, unknown> & { clusters?: Named[]; users?: Named[]; contexts?: Named[]; 'current-context'?: string };

const lists = ['clusters', 'users', 'contexts'] as const;

/** The kubeconfig in `text`, or an empty one for an empty file; throws, naming `where`, for anything else. */
function parseConfig(text: string, where: string): Config {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`${where} is not a kubeconfig (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); not overwriting it`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${where} is not a kubeconfig (not a YAML mapping); not overwriting it`);
  const cfg = doc as Config;
  if (cfg.kind !== undefined && cfg.kind !== 'Config') throw new Error(`${where} is not a kubeconfig (kind ${String(cfg.kind)}); not overwriting it`);
  for (const key of lists) {
    const v = cfg[key];
    if (v !== undefined && v !== null && !Array.isArray(v)) throw new Error(`${where} is not a kubeconfig (${key} is not a list); not overwriting it`);
  }
  return cfg;
}

/** The single cluster, user and context of a kubeconfig Skiff wrote (kubeconfig.ts), renamed to `name`. */
function entriesOf(ours: Config, name: string): Record<(typeof lists)[number], Named> {
  const one = (key: (typeof lists)[number]): Named => {
    const e = ours[key]?.[0];
    if (!e) throw new Error(`Skiff's kubeconfig has no ${key}`);
    return { ...e, name };
  };
  const context = one('contexts');
  context.context = { ...(context.context as object), cluster: name, user: name };
  return { clusters: one('clusters'), users: one('users'), contexts: context };
}

/**
 * `existing` (the file's current text, undefined when there is none) with Skiff's entries from `ours` (a
 * kubeconfig as kubeconfig.ts writes it) put in under `name`, and current-context set to it.
 */
export function mergeKubeconfig(existing: string | undefined, ours: string, where: string, name = skiffEntryName): string {
  const cfg = parseConfig(existing ?? '', where);
  const entries = entriesOf(parseConfig(ours, "Skiff's kubeconfig"), name);
  const out: Config = { apiVersion: 'v1', kind: 'Config', preferences: {}, ...cfg };
  for (const key of lists) {
    const list = (cfg[key] ?? []).filter((e) => e?.name !== name);
    out[key] = [...list, entries[key]];
  }
  out['current-context'] = name;
  return stringify(out);
}

/**
 * `text` without the entries named `name`; `empty` when nothing else is left (the file can go). A current-context
 * naming the removed context is cleared rather than left dangling.
 */
export function removeFromKubeconfig(text: string, where: string, name = skiffEntryName): { text: string; removed: boolean; empty: boolean } {
  const cfg = parseConfig(text, where);
  let removed = false;
  for (const key of lists) {
    const list = cfg[key];
    if (!list) continue;
    const kept = list.filter((e) => e?.name !== name);
    if (kept.length !== list.length) removed = true;
    cfg[key] = kept;
  }
  if (cfg['current-context'] === name) {
    cfg['current-context'] = '';
    removed = true;
  }
  const empty = lists.every((key) => !cfg[key]?.length);
  return { text: stringify(cfg), removed, empty };
}
