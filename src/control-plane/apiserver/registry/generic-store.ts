// The one generic registry store (upstream's registry/generic/registry.Store): create, get, list, update
// (optimistic concurrency on resourceVersion), delete (preconditions, graceful deletion, finalizers) and watch
// for any resource, driven by its ResourceDefinition (src/api/resources/). It knows no kind by name.
// Storage errors become ApiErrors here and nowhere else.
import { randomUUID } from 'node:crypto';
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../../api/errors.ts';
import { semanticEqual } from '../../../api/equality.ts';
import { apiVersionOf, kindKey, type KubeObject } from '../../../api/object.ts';
import type { ResourceInfo } from '../../../api/resource-info.ts';
import type { ResourceDefinition } from '../../../api/resources.ts';
import type { ResourceStrategy, UpdateSubresource } from '../../../api/strategy.ts';
import {
  KeyExistsError, KeyNotFoundError, RevisionConflictError, type KeyValue, type Store,
} from '../../../store/interface.ts';
import { decodeFromStore, encodeForStore, keyFor, prefixFor } from './object-codec.ts';
import { checkPreconditions, finalizedAway, planDeletion } from './deletion.ts';
import { validateListOptions } from './list-options.ts';
import { listObjects } from './list.ts';
import { parseResourceVersion, randomSuffix, rfc3339, withoutBookkeeping } from './meta-util.ts';
import { prepareUpdate } from './prepare-update.ts';
import { watchFrom } from './watch.ts';
import type {
  Allocator, ApiWatchEvent, ListRequest, ListResponse, NamespaceChecker, WatchRequest, WriteContext,
} from './types.ts';

export type {
  Allocator, ApiWatchEvent, ListRequest, ListResponse, NamespaceChecker, ObjectFilter, WatchEventType, WatchRequest,
  WriteContext,
} from './types.ts';
export { parseResourceVersion, randomSuffix, rfc3339 } from './meta-util.ts';

export interface UpdateOptions {
  /** The subresource written through (status, scale, binding …), recorded in managedFields. */
  subresource?: string;
  /** The subresource's own update strategy; absent = the resource's strategy. */
  strategy?: UpdateSubresource;
  createIfMissing?: boolean;
}

/** Nothing but the bookkeeping changed: upstream skips the write, keeps the resourceVersion, sends no event. */
function unchanged(next: KubeObject, current: KubeObject): boolean {
  return semanticEqual(withoutBookkeeping(next), withoutBookkeeping(current));
}

/** Admission's reads, decoded: the watch cache hands out the same KeyValue until the object changes, so every pod
 *  create of a namespace parses its ServiceAccount once, not each time. */
const admissionReads = new WeakMap<KeyValue, KubeObject>();

export class GenericStore {
  readonly gr: { group: string; resource: string };
  readonly kindKey: string;
  readonly info: ResourceInfo;
  readonly strategy: ResourceStrategy;
  private readonly storeResource: string;

  constructor(
    readonly definition: ResourceDefinition,
    private readonly store: Store,
    private readonly namespaces?: NamespaceChecker,
    private readonly allocator?: Allocator,
  ) {
    const info = definition.info;
    this.info = info;
    this.strategy = definition.strategy;
    this.gr = { group: info.group, resource: info.resource };
    this.kindKey = kindKey(info.group, info.version, info.kind);
    this.storeResource = info.group ? `${info.resource}.${info.group}` : info.resource;
  }

  key(namespace: string, name: string): string {
    return keyFor(this.storeResource, this.info.namespaced ? namespace : '', name);
  }

  prefix(namespace: string): string {
    return prefixFor(this.storeResource, this.info.namespaced ? namespace : '');
  }

  private decode(value: Parameters<typeof decodeFromStore>[0]): KubeObject {
    const obj = decodeFromStore(value);
    obj.apiVersion = apiVersionOf(this.info.group, this.info.version);
    obj.kind = this.info.kind;
    return obj;
  }

  /** The object just stored, as a read would return it (saves parsing back what was just serialized). */
  private written(obj: KubeObject, revision: number): KubeObject {
    obj.metadata = { ...obj.metadata, resourceVersion: String(revision) };
    obj.apiVersion = apiVersionOf(this.info.group, this.info.version);
    obj.kind = this.info.kind;
    return obj;
  }

  /** What admission reads: a core-group object, from the watch cache when it holds it (a miss reads the store).
   *  Shared and decoded once per cached value (AdmissionLookup's callers only read it). */
  private async lookup(resource: string, namespace: string, name: string): Promise<KubeObject | undefined> {
    const kv = await this.store.get(keyFor(resource, namespace, name), { allowCache: true });
    if (!kv) return undefined;
    let obj = admissionReads.get(kv);
    if (!obj) {
      obj = decodeFromStore(kv);
      admissionReads.set(kv, obj);
    }
    return obj;
  }

  async get(namespace: string, name: string): Promise<KubeObject> {
    const kv = await this.store.get(this.key(namespace, name));
    if (!kv) throw ApiError.notFound(this.gr, name);
    return this.decode(kv);
  }

  async list(namespace: string, req: ListRequest): Promise<ListResponse> {
    validateListOptions(req);
    return listObjects({ store: this.store, prefix: this.prefix(namespace), decode: (kv) => this.decode(kv) }, req);
  }

  async count(): Promise<number> {
    return this.store.count(this.prefix(''));
  }

  /** Create: defaults, admission, validation, then an atomic store create. */
  async create(namespace: string, input: KubeObject, ctx: WriteContext): Promise<KubeObject> {
    const obj = structuredClone(input);
    const meta = (obj.metadata ??= {});
    if (this.info.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) {
        throw ApiError.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace;
      await this.namespaces?.assertWritable(namespace, this.gr, meta.name ?? '');
    } else {
      delete meta.namespace;
    }
    const generated = !meta.name && !!meta.generateName;
    if (generated) meta.name = meta.generateName + randomSuffix();
    this.strategy.defaults(obj);
    // Field ownership is what the request sent, defaulted: upstream's create handler records it before admission
    // and PrepareForCreate, so what they add (a pod's token volume and tolerations, a Job's selector) is nobody's.
    ctx.track?.(undefined, obj);
    await this.strategy.admit?.(obj, (resource, ns, name) => this.lookup(resource, ns, name));
    await ctx.admit?.(obj, undefined);
    // System-owned metadata: whatever the client sent is replaced (upstream FillObjectMetaSystemFields).
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(ctx.now);
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    delete meta.generation;
    this.strategy.prepareForCreate(obj);
    if (!meta.name) {
      throw ApiError.invalid(this.info.kind, this.info.group, '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }]);
    }
    const key = this.key(namespace, meta.name);
    // A duplicate must be a 409 even when it would also collide on what it allocates (a Service's clusterIP).
    if ((ctx.dryRun || this.allocator) && (await this.store.get(key))) throw ApiError.alreadyExists(this.gr, meta.name);
    // Allocation comes before validation, as upstream's BeginCreate: a valid Service needs its cluster IP.
    const allocation = await this.allocator?.allocate(obj, undefined, ctx.dryRun);
    try {
      const errors = this.strategy.validate(obj);
      if (errors.length) throw ApiError.invalid(this.info.kind, this.info.group, meta.name, errors);
      if (ctx.dryRun) return obj;
      let target = key;
      // A generated name that happens to be taken is retried with a fresh suffix, as upstream does since 1.31.
      for (let attempt = 0; ; attempt++) {
        try {
          const kv = await this.store.create(target, encodeForStore(obj));
          return this.written(obj, kv.modRevision);
        } catch (e) {
          if (!(e instanceof KeyExistsError) || !generated || attempt >= 7) throw e;
          meta.name = meta.generateName + randomSuffix();
          target = this.key(namespace, meta.name);
        }
      }
    } catch (e) {
      await allocation?.rollback();
      if (e instanceof KeyExistsError) throw ApiError.alreadyExists(this.gr, meta.name);
      throw e;
    }
  }

  /**
   * Read-modify-write with optimistic concurrency, retried on store conflicts unless the caller pinned a
   * resourceVersion. `mutate` returns the desired object (or throws). Used by update, patch, status, scale.
   */
  async guaranteedUpdate(
    namespace: string,
    name: string,
    mutate: (current: KubeObject | undefined) => Promise<KubeObject> | KubeObject,
    ctx: WriteContext,
    opts: UpdateOptions = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      const current = kv ? this.decode(kv) : undefined;
      if (!current && !opts.createIfMissing) throw ApiError.notFound(this.gr, name);
      const desired = await mutate(current ? structuredClone(current) : undefined);
      if (!current) {
        const object = await this.create(namespace, desired, ctx);
        return { object, created: true };
      }
      await ctx.admit?.(desired, current);
      const pinned = desired.metadata?.resourceVersion;
      if (pinned && pinned !== current.metadata!.resourceVersion) {
        throw ApiError.conflict(this.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const updated = prepareUpdate(this.definition, desired, current, opts.strategy, ctx);
      if (finalizedAway(updated, this.strategy)) {
        if (ctx.dryRun) return { object: updated, created: false };
        try {
          await this.store.delete(key, kv!.modRevision);
          await this.allocator?.release(current);
          return { object: updated, created: false };
        } catch (e) {
          if (e instanceof RevisionConflictError && !pinned && attempt < 10) continue;
          throw this.translate(e, name);
        }
      }
      if (unchanged(updated, current)) return { object: current, created: false };
      const allocation = opts.subresource ? undefined : await this.allocator?.allocate(updated, current, ctx.dryRun);
      if (ctx.dryRun) return { object: updated, created: false };
      try {
        const written = await this.store.update(key, encodeForStore(updated), kv!.modRevision);
        await allocation?.commit();
        return { object: this.written(updated, written.modRevision), created: false };
      } catch (e) {
        await allocation?.rollback();
        if (e instanceof RevisionConflictError && !pinned && attempt < 10) continue;
        throw this.translate(e, name);
      }
    }
  }

  /** DELETE with upstream's preconditions, propagation finalizers and graceful deletion. */
  async delete(namespace: string, name: string, options: DeleteOptions, ctx: WriteContext): Promise<{ object: KubeObject; deleted: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw ApiError.notFound(this.gr, name);
      const current = this.decode(kv);
      checkPreconditions(this.info, current, options);
      if (attempt === 0) this.strategy.admitDelete?.(current);
      await ctx.admit?.(undefined, current);
      const { pending, next } = planDeletion(current, options, this.strategy, ctx.now);
      if (pending) {
        if (ctx.dryRun) return { object: next, deleted: false };
        if (unchanged(next, current)) return { object: current, deleted: false };
        try {
          const written = await this.store.update(key, encodeForStore(next), kv.modRevision);
          return { object: this.written(next, written.modRevision), deleted: false };
        } catch (e) {
          if (e instanceof RevisionConflictError && attempt < 10) continue;
          throw this.translate(e, name);
        }
      }
      if (ctx.dryRun) return { object: current, deleted: true };
      try {
        const gone = await this.store.delete(key, kv.modRevision);
        await this.allocator?.release(current);
        return { object: this.decode(gone), deleted: true };
      } catch (e) {
        if (e instanceof RevisionConflictError && attempt < 10) continue;
        throw this.translate(e, name);
      }
    }
  }

  /** Events after the request's resourceVersion, as API watch events; ERROR 410 when it is too old. */
  async *watch(namespace: string, req: WatchRequest): AsyncGenerator<ApiWatchEvent> {
    const prefix = this.prefix(namespace);
    const filter = req.filter ?? (() => true);
    let after: number;
    if (req.sendInitialEvents || !req.resourceVersion || req.resourceVersion === '0') {
      const listed = await this.list(namespace, { filter: req.filter, resourceVersion: req.resourceVersion === '0' ? '0' : '' });
      for (const obj of listed.items) yield { type: 'ADDED', object: obj };
      after = Number(listed.resourceVersion);
      if (req.sendInitialEvents) {
        // Upstream's "watch list": a bookmark marks where the initial state ends and live events begin.
        yield {
          type: 'BOOKMARK',
          object: {
            apiVersion: apiVersionOf(this.info.group, this.info.version),
            kind: this.info.kind,
            metadata: { resourceVersion: listed.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } },
          },
        };
      }
    } else {
      after = parseResourceVersion(req.resourceVersion);
    }
    const typeMeta = { apiVersion: apiVersionOf(this.info.group, this.info.version), kind: this.info.kind };
    yield* watchFrom({ store: this.store, prefix, decode: (kv) => this.decode(kv), typeMeta }, after, filter, req.signal, req.bookmarkIntervalMs);
  }

  private translate(e: unknown, name: string): unknown {
    if (e instanceof KeyNotFoundError) return ApiError.notFound(this.gr, name);
    if (e instanceof RevisionConflictError) {
      return ApiError.conflict(this.gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    if (e instanceof KeyExistsError) return ApiError.alreadyExists(this.gr, name);
    return e;
  }
}
