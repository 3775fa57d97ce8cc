// Serves one resource request: maps the verb and subresource onto the generic store, applies dry-run, field
// validation, managedFields, patches and the Table/metadata response shapes. Every resource goes through here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../api/errors.ts';
import { apiVersionOf, type KubeObject } from '../../api/object.ts';
import type { ResourceRequest } from './request-info.ts';
import { readBody, sendJSON } from './http.ts';
import { bodyFormat, checkAppliedTypes, checkPatchedTypes, decodeDeleteOptions, decodeObject, mediaType, responseShape } from './content.ts';
import { deleteOptionsOf, dryRunAll, dryRunOf, fieldValidationOf, forceOf, listOptionsOf, type FieldValidation, type WriteOptionsKind } from './query.ts';
import type { GenericStore, ObjectFilter, WriteContext } from './registry/generic-store.ts';
import { rfc3339 } from './registry/generic-store.ts';
import { applyPatch, parseApplyPatch, serverSideApply, updateManagedFields } from './patch/index.ts';
import { buildFilter, selectorString } from './selectors.ts';
import { toTable, toPartialMetadata, toPartialMetadataList } from './table.ts';
import { streamWatch } from './watch-stream.ts';

export interface HandlerDeps {
  storeFor(group: string, version: string, resource: string): GenericStore | undefined;
  /** Aborted when the server shuts down: open watches end cleanly. */
  shutdown: AbortSignal;
  /** Paths of fields the schema of kindKey does not declare. */
  unknownFields(kindKey: string, obj: KubeObject): string[];
  /** Drops the undeclared fields from obj and names them. */
  pruneUnknown(kindKey: string, obj: KubeObject): string[];
}

const patchTypes: Record<string, 'json' | 'merge' | 'strategic' | 'apply'> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export class ResourceHandler {
  constructor(private readonly deps: HandlerDeps) {}

  async serve(req: IncomingMessage, res: ServerResponse, info: ResourceRequest, query: URLSearchParams): Promise<void> {
    const store = this.deps.storeFor(info.group, info.version, info.resource);
    if (!store) {
      throw ApiError.of(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (store.info.namespaced === false && info.namespace && info.resource !== 'namespaces') {
      throw ApiError.of(404, 'NotFound', 'the server could not find the requested resource');
    }
    const sub = info.subresource;
    if (sub && !this.subresourceServed(store, sub)) {
      throw ApiError.of(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (!store.info.verbs.includes(info.verb) && !sub) throw ApiError.methodNotAllowed();
    const manager = query.get('fieldManager') || managerFromAgent(req.headers['user-agent']);
    if (manager.length > 128) throw ApiError.badRequest('fieldManager: Too long: must have at most 128 bytes');
    const accept = req.headers.accept;
    switch (info.verb) {
      case 'get':
        return this.get(res, store, info, query, accept);
      case 'list':
        return this.list(res, store, info, query, accept);
      case 'watch':
        return streamWatch(req, res, store, info.namespace, query, accept, this.deps.shutdown);
      case 'create':
        return this.create(req, res, store, info, query, manager);
      case 'update':
        return this.update(req, res, store, info, query, manager);
      case 'patch':
        return this.patch(req, res, store, info, query, manager);
      case 'delete':
        return this.delete(req, res, store, info, query);
      case 'deletecollection':
        return this.deleteCollection(req, res, store, info, query);
      default:
        throw ApiError.methodNotAllowed();
    }
  }

  private subresourceServed(store: GenericStore, sub: string): boolean {
    const s = store.info.subresources;
    if (sub === 'status') return !!s.status;
    if (sub === 'scale') return !!s.scale;
    if (sub === 'binding') return !!s.binding;
    if (sub === 'eviction') return !!s.eviction;
    if (sub === 'finalize') return store.info.kind === 'Namespace';
    return false;
  }

  private async get(res: ServerResponse, store: GenericStore, info: ResourceRequest, query: URLSearchParams, accept?: string): Promise<void> {
    const obj = await store.get(info.namespace, info.name);
    if (info.subresource === 'scale') return sendJSON(res, 200, scaleOf(obj));
    const shape = responseShape(accept);
    if (shape === 'table') return sendJSON(res, 200, toTable(store, [obj], { resourceVersion: obj.metadata?.resourceVersion, includeObject: query.get('includeObject') }));
    if (shape === 'metadata') return sendJSON(res, 200, toPartialMetadata(obj));
    sendJSON(res, 200, obj);
  }

  private async list(res: ServerResponse, store: GenericStore, info: ResourceRequest, query: URLSearchParams, accept?: string): Promise<void> {
    const opts = listOptionsOf(query);
    const filter = buildFilter(store, query);
    const result = await store.list(info.namespace, {
      filter,
      limit: opts.limit,
      continueToken: opts.continue,
      resourceVersion: opts.resourceVersion,
      resourceVersionMatch: opts.resourceVersionMatch,
    });
    const listMeta = {
      resourceVersion: result.resourceVersion,
      ...(result.continueToken ? { continue: result.continueToken } : {}),
      ...(result.remainingItemCount !== undefined ? { remainingItemCount: result.remainingItemCount } : {}),
    };
    const shape = responseShape(accept);
    if (shape === 'table') {
      return sendJSON(res, 200, toTable(store, result.items, { ...listMeta, includeObject: query.get('includeObject') }));
    }
    if (shape === 'metadata') return sendJSON(res, 200, toPartialMetadataList(result.items, listMeta));
    sendJSON(res, 200, {
      kind: store.info.listKind,
      apiVersion: apiVersionOf(store.info.group, store.info.version),
      metadata: listMeta,
      items: result.items.map(({ apiVersion: _a, kind: _k, ...rest }) => ({ ...rest })),
    });
  }

  private writeContext(query: URLSearchParams, manager: string, subresource: string | undefined, validation: FieldValidation, warnings: string[], kind: WriteOptionsKind): WriteContext {
    const now = new Date();
    return {
      dryRun: dryRunOf(query, kind),
      now,
      track: (old, updated) => {
        const unknown = this.deps.pruneUnknown(`${updated.apiVersion}/${updated.kind}`, updated);
        if (validation === 'Warn') warnings.push(...unknown.map((f) => `unknown field "${f}"`));
        updateManagedFields({ old, updated, manager, operation: 'Update', subresource: subresource || undefined, now });
      },
    };
  }

  private async readObject(req: IncomingMessage, store: GenericStore, validation: FieldValidation, expectKind?: { apiVersion: string; kind: string }): Promise<KubeObject> {
    const body = await readBody(req);
    const want = expectKind ?? { apiVersion: apiVersionOf(store.info.group, store.info.version), kind: store.info.kind };
    const obj = decodeObject(body, bodyFormat(req.headers['content-type']), want, { strict: validation === 'Strict' });
    checkKind(obj, want);
    if (validation === 'Strict') {
      const unknown = this.deps.unknownFields(kindKeyOfWant(want), obj);
      if (unknown.length) {
        throw ApiError.badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
      }
    }
    return obj;
  }

  private async create(req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, query: URLSearchParams, manager: string): Promise<void> {
    const validation = fieldValidationOf(query, 'CreateOptions');
    const warnings: string[] = [];
    if (info.subresource === 'binding' || info.resource === 'bindings') {
      const binding = await this.readObject(req, store, validation, { apiVersion: 'v1', kind: 'Binding' });
      return this.bind(res, store, info.namespace, info.subresource ? info.name : binding.metadata?.name ?? '', binding, query);
    }
    if (info.subresource === 'eviction') {
      await this.readObject(req, store, validation, { apiVersion: 'policy/v1', kind: 'Eviction' });
      await store.delete(info.namespace, info.name, {}, { dryRun: dryRunOf(query), now: new Date() });
      return sendJSON(res, 201, successStatus());
    }
    if (info.name) throw ApiError.methodNotAllowed();
    const obj = await this.readObject(req, store, validation);
    const created = await store.create(info.namespace, obj, this.writeContext(query, manager, undefined, validation, warnings, 'CreateOptions'));
    sendJSON(res, 201, created, warningHeaders(warnings));
  }

  /** pods/binding: the scheduler's one write. Sets spec.nodeName once; a second binding is a 409. */
  private async bind(res: ServerResponse, store: GenericStore, namespace: string, podName: string, binding: KubeObject, query: URLSearchParams): Promise<void> {
    const target = binding.target as { kind?: string; name?: string } | undefined;
    if (!target?.name) {
      throw ApiError.invalid('Binding', '', podName, [{ type: 'FieldValueRequired', field: 'target.name' }]);
    }
    if (target.kind && target.kind !== 'Node') {
      throw ApiError.invalid('Binding', '', podName, [{ type: 'FieldValueNotSupported', field: 'target.kind', value: target.kind, supported: ['Node'] }]);
    }
    const now = new Date();
    await store.guaranteedUpdate(namespace, podName, (pod) => {
      const spec = (pod!.spec ??= {}) as { nodeName?: string };
      if (pod!.metadata?.deletionTimestamp) {
        throw ApiError.conflict(store.gr, podName, 'pod is being deleted, cannot be assigned to a host');
      }
      if (spec.nodeName) {
        throw ApiError.conflict(store.gr, podName, `pod ${podName} is already assigned to node "${spec.nodeName}"`);
      }
      spec.nodeName = target.name;
      const status = (pod!.status ??= {}) as { conditions?: { type: string; status: string; lastTransitionTime?: string; lastProbeTime?: null }[] };
      const conditions = (status.conditions ??= []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(now) });
      status.conditions = conditions;
      return pod!;
    }, { dryRun: dryRunOf(query), now }, { subresource: 'binding' });
    sendJSON(res, 201, successStatus());
  }

  private async update(req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, query: URLSearchParams, manager: string): Promise<void> {
    const validation = fieldValidationOf(query, 'UpdateOptions');
    const warnings: string[] = [];
    const ctx = this.writeContext(query, manager, info.subresource, validation, warnings, 'UpdateOptions');
    if (info.subresource === 'scale') {
      const scale = await this.readObject(req, store, validation, { apiVersion: 'autoscaling/v1', kind: 'Scale' });
      const result = await this.writeScale(store, info, scale, ctx);
      return sendJSON(res, 200, result);
    }
    const obj = await this.readObject(req, store, validation);
    if (info.subresource === 'finalize') {
      const result = await store.guaranteedUpdate('', info.name, (cur) => {
        if (obj.metadata?.resourceVersion && obj.metadata.resourceVersion !== cur!.metadata?.resourceVersion) return obj;
        return { ...cur!, spec: { ...((cur!.spec as object) ?? {}), finalizers: (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [] } };
      }, ctx);
      return sendJSON(res, 200, result.object);
    }
    if (obj.metadata?.name && obj.metadata.name !== info.name) {
      throw ApiError.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${info.name})`);
    }
    const sub = info.subresource || undefined;
    const { object, created } = await store.guaranteedUpdate(info.namespace, info.name, () => obj, ctx, {
      subresource: sub,
      createIfMissing: !sub && !!store.behaviour.createOnUpdate,
    });
    sendJSON(res, created ? 201 : 200, object, warningHeaders(warnings));
  }

  private async patch(req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, query: URLSearchParams, manager: string): Promise<void> {
    const mt = mediaType(req.headers['content-type']);
    const patchType = patchTypes[mt];
    if (!patchType) throw ApiError.unsupportedMediaType(req.headers['content-type'] ?? '');
    const validation = fieldValidationOf(query, 'PatchOptions');
    const body = await readBody(req);
    const warnings: string[] = [];
    const sub = info.subresource || undefined;
    const now = new Date();
    if (patchType === 'apply') {
      if (!query.get('fieldManager')) {
        throw ApiError.badRequest('PATCH /apply requires fieldManager to be set');
      }
      const applied = parseApplyPatch(body);
      const want = sub === 'scale'
        ? { apiVersion: 'autoscaling/v1', kind: 'Scale' }
        : { apiVersion: apiVersionOf(store.info.group, store.info.version), kind: store.info.kind };
      checkKind(applied, want);
      checkAppliedTypes(kindKeyOfWant(want), applied);
      if (validation === 'Strict') {
        const unknown = this.deps.unknownFields(kindKeyOfWant(want), applied);
        if (unknown.length) throw ApiError.badRequest(`.${unknown[0]}: field not declared in schema`);
      }
      const force = forceOf(query, true);
      const ctx: WriteContext = {
        dryRun: dryRunOf(query, 'PatchOptions'),
        now,
        track: (_old, updated) => void this.deps.pruneUnknown(`${updated.apiVersion}/${updated.kind}`, updated),
      };
      const { object, created } = await store.guaranteedUpdate(info.namespace, info.name, (live) => {
        if (applied.metadata?.name && applied.metadata.name !== info.name) {
          throw ApiError.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${info.name})`);
        }
        const merged = serverSideApply({ live, applied, manager, force, kindKey: store.kindKey, now });
        merged.metadata = { ...(merged.metadata ?? {}), name: info.name };
        if (live) merged.metadata.resourceVersion = undefined;
        return merged;
      }, ctx, { subresource: sub, createIfMissing: !sub });
      return sendJSON(res, created ? 201 : 200, object);
    }
    forceOf(query, false);
    const ctx = this.writeContext(query, manager, sub, validation, warnings, 'PatchOptions');
    if (sub === 'scale') {
      const current = await store.get(info.namespace, info.name);
      const scale = applyPatch({ obj: scaleOf(current), patchType, patch: body, kindKey: 'autoscaling/v1/Scale' });
      checkPatchedTypes('autoscaling/v1/Scale', scale);
      const result = await this.writeScale(store, info, scale, ctx);
      return sendJSON(res, 200, result);
    }
    const { object } = await store.guaranteedUpdate(info.namespace, info.name, (current) => {
      const patched = applyPatch({ obj: current!, patchType, patch: body, kindKey: store.kindKey });
      checkPatchedTypes(store.kindKey, patched);
      checkKind(patched, { apiVersion: current!.apiVersion!, kind: current!.kind! });
      if (validation === 'Strict') {
        const unknown = this.deps.unknownFields(store.kindKey, patched);
        if (unknown.length) throw ApiError.badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
      }
      // A patch that names a resourceVersion is a precondition; otherwise it applies to whatever is current.
      if (patched.metadata?.resourceVersion === current!.metadata?.resourceVersion) delete patched.metadata!.resourceVersion;
      return patched;
    }, ctx, { subresource: sub });
    sendJSON(res, 200, object, warningHeaders(warnings));
  }

  private async writeScale(store: GenericStore, info: ResourceRequest, scale: KubeObject, ctx: WriteContext): Promise<KubeObject> {
    const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
    if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
      throw ApiError.invalid('Scale', 'autoscaling', info.name, [
        { type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' },
      ]);
    }
    const { object } = await store.guaranteedUpdate(info.namespace, info.name, (current) => {
      const pinned = scale.metadata?.resourceVersion;
      const next = structuredClone(current!);
      if (pinned) next.metadata = { ...next.metadata, resourceVersion: pinned };
      else delete next.metadata!.resourceVersion;
      (next.spec as { replicas?: number }).replicas = (replicas as number | undefined) ?? 0;
      return next;
    }, ctx, { subresource: 'scale' });
    return scaleOf(object);
  }

  private async delete(req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, query: URLSearchParams): Promise<void> {
    const options = deleteOptionsOf(query, await readDeleteOptions(req));
    const dryRun = dryRunAll(options.dryRun, 'DeleteOptions');
    const { object, deleted } = await store.delete(info.namespace, info.name, options, { dryRun, now: new Date() });
    if (!deleted || store.behaviour.returnDeletedObject) return sendJSON(res, 200, object);
    sendJSON(res, 200, {
      ...successStatus(),
      details: { name: info.name, group: store.info.group || undefined, kind: store.info.resource, uid: object.metadata?.uid },
    });
  }

  private async deleteCollection(req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, query: URLSearchParams): Promise<void> {
    const options = deleteOptionsOf(query, await readDeleteOptions(req));
    const dryRun = dryRunAll(options.dryRun, 'DeleteOptions');
    const filter: ObjectFilter = buildFilter(store, query);
    const listed = await store.list(info.namespace, { filter });
    const now = new Date();
    const items: KubeObject[] = [];
    for (const obj of listed.items) {
      try {
        const { object } = await store.delete(obj.metadata!.namespace ?? '', obj.metadata!.name!, options, { dryRun, now });
        items.push(object);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    sendJSON(res, 200, { kind: store.info.listKind, apiVersion: apiVersionOf(store.info.group, store.info.version), metadata: { resourceVersion: listed.resourceVersion }, items });
  }
}

function successStatus(): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
}

function warningHeaders(warnings: string[]): Record<string, string> {
  if (!warnings.length) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}

function kindKeyOfWant(want: { apiVersion: string; kind: string }): string {
  return `${want.apiVersion}/${want.kind}`;
}

/** The body's apiVersion/kind must match the URL (absent ones are filled in). */
function checkKind(obj: KubeObject, want: { apiVersion: string; kind: string }): void {
  if (obj.kind === undefined || obj.kind === '') obj.kind = want.kind;
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = want.apiVersion;
  if (typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') throw ApiError.badRequest('apiVersion and kind must be strings');
  if (obj.apiVersion !== want.apiVersion) {
    throw ApiError.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want.apiVersion})`);
  }
  if (obj.kind !== want.kind) {
    throw ApiError.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${want.kind})`);
  }
  if (obj.metadata !== undefined && (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata))) {
    throw ApiError.badRequest('metadata must be an object');
  }
}

async function readDeleteOptions(req: IncomingMessage): Promise<DeleteOptions | undefined> {
  const body = await readBody(req);
  return decodeDeleteOptions(body, bodyFormat(req.headers['content-type'])) as DeleteOptions | undefined;
}

/** The user agent's program name stands in for a missing fieldManager, as upstream does. */
function managerFromAgent(agent: string | undefined): string {
  const a = agent ?? 'unknown';
  return a.split('/')[0].slice(0, 128) || 'unknown';
}

/** The autoscaling/v1 Scale view of an object with a scale subresource. */
export function scaleOf(obj: KubeObject): KubeObject {
  const meta = obj.metadata ?? {};
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: unknown };
  const status = (obj.status ?? {}) as { replicas?: number };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorString(spec.selector) },
  };
}
