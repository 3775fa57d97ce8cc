// The informer's local cache: objects by "namespace/name" key, plus named indexes (namespace, node name, owner uid)
// kept current on every write, and a read-only Lister view over it. Objects handed out are shared with the cache:
// callers must treat them as read-only (copy with structuredClone before changing).
import type { ApiObject } from './types.ts';
import type { LabelSelector, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../api/object.ts';
import { type LabelMatcher, labelSelectorMatcher, parseLabelSelector } from './selector.ts';

export type IndexFunc<T> = (obj: T) => string[];

/** client-go's MetaNamespaceKeyFunc: "ns/name", or "name" for cluster-scoped objects. */
export function objectKey(obj: ApiObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export const byNamespace = 'namespace';
export const byNodeName = 'nodeName';
export const byOwner = 'owner';

/** The indexes every informer keeps: objects per namespace, pods per spec.nodeName, dependents per owner uid. */
export const defaultIndexers: Record<string, IndexFunc<ApiObject>> = {
  [byNamespace]: (o) => (o.metadata?.namespace ? [o.metadata.namespace] : []),
  [byNodeName]: (o) => {
    const node = (o as { spec?: { nodeName?: unknown } }).spec?.nodeName;
    return typeof node === 'string' && node ? [node] : [];
  },
  [byOwner]: (o) => (o.metadata?.ownerReferences ?? []).map((r: OwnerReference) => r.uid),
};

export class Cache<T extends ApiObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name -> indexed value -> keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = defaultIndexers) {
    for (const [name, fn] of Object.entries(indexers)) this.addIndexer(name, fn);
  }

  /** Adds (or replaces) an index and builds it from what is already cached. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.indexers.set(name, fn);
    this.indices.set(name, new Map());
    for (const [key, obj] of this.items) this.index(name, fn, key, obj, 1);
  }

  get size(): number {
    return this.items.size;
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  values(): T[] {
    return [...this.items.values()];
  }

  /** Stores obj under its key; returns what it replaced. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) this.index(name, fn, key, obj, 1);
    return old;
  }

  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  hasIndex(name: string): boolean {
    return this.indices.has(name);
  }

  byIndex(name: string, value: string): T[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`index "${name}" does not exist`);
    return [...(index.get(value) ?? [])].map((k) => this.items.get(k)).filter((o): o is T => o !== undefined);
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) this.index(name, fn, key, obj, -1);
  }

  private index(name: string, fn: IndexFunc<T>, key: string, obj: T, dir: 1 | -1): void {
    const index = this.indices.get(name);
    if (!index) return;
    for (const value of new Set(fn(obj))) {
      let keys = index.get(value);
      if (dir === 1) {
        if (!keys) index.set(value, (keys = new Set()));
        keys.add(key);
      } else if (keys) {
        keys.delete(key);
        if (keys.size === 0) index.delete(value);
      }
    }
  }
}

export type Selector = string | LabelSelector | LabelMatcher;

function toMatcher(sel: Selector): LabelMatcher {
  if (typeof sel === 'function') return sel;
  if (typeof sel === 'string') return parseLabelSelector(sel);
  return labelSelectorMatcher(sel);
}

/** Read-only queries over a Cache, the shape controllers use (client-go's listers). */
export class Lister<T extends ApiObject = KubeObject> {
  constructor(private readonly cache: Cache<T>) {}

  /** namespace '' (or undefined) for cluster-scoped objects. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.getByKey(namespace ? `${namespace}/${name}` : name);
  }

  /** All objects, or one namespace's; optionally filtered by a label selector (string, LabelSelector or matcher). */
  list(namespace?: string, selector?: Selector): T[] {
    let objs: T[];
    if (!namespace) objs = this.cache.values();
    else if (this.cache.hasIndex(byNamespace)) objs = this.cache.byIndex(byNamespace, namespace);
    else objs = this.cache.values().filter((o) => o.metadata?.namespace === namespace);
    if (selector === undefined) return objs;
    const match = toMatcher(selector);
    return objs.filter((o) => match(o.metadata?.labels));
  }

  byIndex(name: string, value: string): T[] {
    return this.cache.byIndex(name, value);
  }
}
