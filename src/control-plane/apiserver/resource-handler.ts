// Serves one resource request: maps the verb onto the generic store, applies dry-run, field validation,
// managedFields, patches and the Table/metadata response shapes. Every resource goes through here; a
// subresource is served by its definition's type (subresource-handler.ts). No kind is known by name.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../api/errors.ts';
import { apiVersionOf, type KubeObject } from '../../api/object.ts';
import type { ResourceRequest } from './request-info.ts';
import { readBody, sendJSON } from './http.ts';
import { bodyFormat, checkAppliedTypes, checkPatchedTypes, decodeDeleteOptions, decodeObject, mediaType, responseShape } from './content.ts';
import {
  deleteOptionsOf, dryRunAll, dryRunOf, fieldValidationOf, forceOf, listOptionsOf, type FieldValidation, type WriteOptionsKind,
} from './query.ts';
import type { GenericStore, ObjectFilter, UpdateOptions, WriteContext } from './registry/generic-store.ts';
import { applyPatch, parseApplyPatch, serverSideApply, updateManagedFields } from './patch/index.ts';
import { buildFilter } from './selectors.ts';
import type { ConnectSubresource } from '../../api/strategy.ts';
import { findDefinition } from '../../api/resources.ts';
import { subresourceOf } from '../../api/resources/define.ts';
import { SubresourceHandler } from './subresource-handler.ts';
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
  /** Serves a streaming subresource (log, exec, attach, portforward) by proxying to the node, when wired. */
  /** serviceaccounts/token: a TokenRequest answered for the account (serviceaccount-token.ts), when the server signs tokens. */
  issueToken?(serviceAccount: KubeObject, request: KubeObject, dryRun: boolean): Promise<KubeObject>;
  connect?(req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, sub: ConnectSubresource, query: URLSearchParams): Promise<void>;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

// application/apply-patch+cbor is not here: until CBOR bodies are really decoded it is a 415, never parsed as YAML.
const patchTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export class ResourceHandler {
  private readonly subresources: SubresourceHandler;

  constructor(private readonly deps: HandlerDeps) {
    this.subresources = new SubresourceHandler(this, deps);
  }

  async serve(req: IncomingMessage, res: ServerResponse, info: ResourceRequest, query: URLSearchParams): Promise<void> {
    const store = this.deps.storeFor(info.group, info.version, info.resource);
    if (!store) throw notFound();
    if (store.info.namespaced === false && info.namespace && info.resource !== 'namespaces') throw notFound();
    const manager = query.get('fieldManager') || managerFromAgent(req.headers['user-agent']);
    if (manager.length > 128) throw ApiError.badRequest('fieldManager: Too long: must have at most 128 bytes');
    // A create-only kind sent to its own collection (POST …/bindings) is its parent's subresource.
    const actsOn = store.info.resource !== info.resource ? findDefinition(info.group, info.version, info.resource) : undefined;
    if (actsOn?.actsOn) {
      if (info.subresource || !actsOn.info.verbs.includes(info.verb)) throw ApiError.methodNotAllowed();
      const sub = subresourceOf(store.definition, actsOn.actsOn.subresource)!;
      return this.subresources.serve(req, res, store, { ...info, subresource: actsOn.actsOn.subresource }, sub, query, manager);
    }
    if (info.subresource) {
      const sub = subresourceOf(store.definition, info.subresource);
      if (!sub) throw notFound();
      return this.subresources.serve(req, res, store, info, sub, query, manager);
    }
    if (!store.info.verbs.includes(info.verb)) throw ApiError.methodNotAllowed();
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

  async get(res: ServerResponse, store: GenericStore, info: ResourceRequest, query: URLSearchParams, accept?: string): Promise<void> {
    const obj = await store.get(info.namespace, info.name);
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

  writeContext(info: ResourceRequest, query: URLSearchParams, manager: string, subresource: string | undefined, validation: FieldValidation, warnings: string[], kind: WriteOptionsKind): WriteContext {
    const now = new Date();
    return {
      dryRun: dryRunOf(query, kind),
      now,
      admit: info.admit,
      track: (old, updated) => {
        const unknown = this.deps.pruneUnknown(`${updated.apiVersion}/${updated.kind}`, updated);
        if (validation === 'Warn') warnings.push(...unknown.map((f) => `unknown field "${f}"`));
        updateManagedFields({ old, updated, manager, operation: 'Update', subresource: subresource || undefined, now });
      },
    };
  }

  async readObject(req: IncomingMessage, store: GenericStore, validation: FieldValidation, expectKind?: { apiVersion: string; kind: string }): Promise<KubeObject> {
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
    if (info.name) throw ApiError.methodNotAllowed();
    const validation = fieldValidationOf(query, 'CreateOptions');
    const warnings: string[] = [];
    const obj = await this.readObject(req, store, validation);
    const created = await store.create(info.namespace, obj, this.writeContext(info, query, manager, undefined, validation, warnings, 'CreateOptions'));
    sendJSON(res, 201, created, warningHeaders(warnings));
  }

  /** PUT of the whole object, through the resource's strategy or (opts.strategy) a subresource's. */
  async update(req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, query: URLSearchParams, manager: string, opts: UpdateOptions = {}): Promise<void> {
    const validation = fieldValidationOf(query, 'UpdateOptions');
    const warnings: string[] = [];
    const ctx = this.writeContext(info, query, manager, opts.subresource, validation, warnings, 'UpdateOptions');
    const obj = await this.readObject(req, store, validation);
    if (obj.metadata?.name && obj.metadata.name !== info.name) {
      throw ApiError.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${info.name})`);
    }
    const { object, created } = await store.guaranteedUpdate(info.namespace, info.name, () => obj, ctx, {
      ...opts,
      createIfMissing: !opts.subresource && store.strategy.allowCreateOnUpdate,
    });
    sendJSON(res, created ? 201 : 200, object, warningHeaders(warnings));
  }

  /** PATCH (json, merge, strategic, apply) of the object, through the resource's or a subresource's strategy. */
  async patch(req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, query: URLSearchParams, manager: string, opts: UpdateOptions = {}): Promise<void> {
    const patchType = patchTypeOf(req);
    const validation = fieldValidationOf(query, 'PatchOptions');
    const body = await readBody(req);
    const sub = opts.subresource;
    if (patchType === 'apply') {
      if (!query.get('fieldManager')) throw ApiError.badRequest('PATCH /apply requires fieldManager to be set');
      const applied = parseApplyPatch(body);
      const want = { apiVersion: apiVersionOf(store.info.group, store.info.version), kind: store.info.kind };
      checkKind(applied, want);
      checkAppliedTypes(kindKeyOfWant(want), applied);
      if (validation === 'Strict') {
        const unknown = this.deps.unknownFields(kindKeyOfWant(want), applied);
        if (unknown.length) throw ApiError.badRequest(`.${unknown[0]}: field not declared in schema`);
      }
      const force = forceOf(query, true);
      const now = new Date();
      const ctx: WriteContext = {
        dryRun: dryRunOf(query, 'PatchOptions'),
        now,
        admit: info.admit,
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
      }, ctx, { ...opts, createIfMissing: !sub });
      return sendJSON(res, created ? 201 : 200, object);
    }
    forceOf(query, false);
    const warnings: string[] = [];
    const ctx = this.writeContext(info, query, manager, sub, validation, warnings, 'PatchOptions');
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
    }, ctx, opts);
    sendJSON(res, 200, object, warningHeaders(warnings));
  }

  private async delete(req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, query: URLSearchParams): Promise<void> {
    const options = deleteOptionsOf(query, await readDeleteOptions(req));
    const dryRun = dryRunAll(options.dryRun, 'DeleteOptions');
    const { object, deleted } = await store.delete(info.namespace, info.name, options, { dryRun, now: new Date(), admit: info.admit });
    if (!deleted || store.strategy.returnDeletedObject) return sendJSON(res, 200, object);
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
        const { object } = await store.delete(obj.metadata!.namespace ?? '', obj.metadata!.name!, options, { dryRun, now, admit: info.admit });
        items.push(object);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    sendJSON(res, 200, { kind: store.info.listKind, apiVersion: apiVersionOf(store.info.group, store.info.version), metadata: { resourceVersion: listed.resourceVersion }, items });
  }
}

export function successStatus(): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
}

function notFound(): ApiError {
  return ApiError.of(404, 'NotFound', 'the server could not find the requested resource');
}

/** The patch type named by Content-Type; anything else (including apply-patch+cbor for now) is a 415. */
export function patchTypeOf(req: IncomingMessage): PatchType {
  const patchType = patchTypes[mediaType(req.headers['content-type'])];
  if (!patchType) throw ApiError.unsupportedMediaType(req.headers['content-type'] ?? '');
  return patchType;
}

function warningHeaders(warnings: string[]): Record<string, string> {
  if (!warnings.length) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}

export function kindKeyOfWant(want: { apiVersion: string; kind: string }): string {
  return `${want.apiVersion}/${want.kind}`;
}

/** The body's apiVersion/kind must match the URL (absent ones are filled in). */
export function checkKind(obj: KubeObject, want: { apiVersion: string; kind: string }): void {
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
