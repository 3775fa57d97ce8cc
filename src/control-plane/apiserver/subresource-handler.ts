// Serves a subresource by the type of its strategy, as upstream's REST interfaces do (Updater, Creater,
// Connecter): "update" endpoints (status, finalize) write the same object through their own strategy;
// "scale" converts to and from autoscaling/v1 Scale; "bind" and "evict" are creates that change or delete
// the parent; "token" returns a credential for the parent, stored nowhere; "connect" streams to the node. Which kind has which is the resource definition's business.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { BindSubresource, BodyKind, EvictSubresource, ScaleSubresourceStrategy, SubresourceStrategy, UpdateSubresource } from '../../api/strategy.ts';
import type { ResourceRequest } from './request-info.ts';
import { readBody, sendJSON } from './http.ts';
import { checkAppliedTypes, checkPatchedTypes } from './content.ts';
import { dryRunAll, dryRunOf, fieldValidationOf } from './query.ts';
import type { GenericStore, WriteContext } from './registry/generic-store.ts';
import { checkPreconditions } from './registry/deletion.ts';
import { applyPatch, parseApplyPatch } from './patch/index.ts';
import { selectorString } from './selectors.ts';
import { checkKind, patchTypeOf, successStatus, type HandlerDeps, type ResourceHandler } from './resource-handler.ts';

/** A subresource that takes its parent as it comes (binding): the subresource's own apply did the work. */
const asIs: UpdateSubresource = { type: 'update', verbs: [], prepareForUpdate: (obj) => obj, validateUpdate: () => [] };

const scaleKind = { apiVersion: 'autoscaling/v1', kind: 'Scale' };

export class SubresourceHandler {
  constructor(private readonly main: ResourceHandler, private readonly deps: HandlerDeps) {}

  async serve(
    req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, sub: SubresourceStrategy,
    query: URLSearchParams, manager: string,
  ): Promise<void> {
    const name = info.subresource;
    switch (sub.type) {
      case 'update':
        if (!sub.verbs.includes(info.verb)) throw ApiError.methodNotAllowed();
        if (info.verb === 'get') return this.main.get(res, store, info, query, req.headers.accept);
        if (info.verb === 'update') return this.main.update(req, res, store, info, query, manager, { subresource: name, strategy: sub });
        return this.main.patch(req, res, store, info, query, manager, { subresource: name, strategy: sub });
      case 'scale':
        return this.scale(req, res, store, info, sub, query, manager);
      case 'bind':
        if (info.verb !== 'create') throw ApiError.methodNotAllowed();
        return this.bind(req, res, store, info, sub, query);
      case 'evict':
        if (info.verb !== 'create') throw ApiError.methodNotAllowed();
        return this.evict(req, res, store, info, sub, query);
      case 'token':
        if (info.verb !== 'create') throw ApiError.methodNotAllowed();
        if (!this.deps.issueToken) throw ApiError.of(404, 'NotFound', 'the server could not find the requested resource');
        return this.token(req, res, store, info, sub.bodyKind, query);
      case 'connect':
        if (!this.deps.connect) throw ApiError.of(404, 'NotFound', 'the server could not find the requested resource');
        if (!sub.methods.includes(req.method ?? 'GET')) throw ApiError.methodNotAllowed();
        return this.deps.connect(req, res, store, info, sub, query);
    }
  }

  private async scale(
    req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, sub: ScaleSubresourceStrategy,
    query: URLSearchParams, manager: string,
  ): Promise<void> {
    if (info.verb === 'get') return sendJSON(res, 200, scaleOf(await store.get(info.namespace, info.name), sub));
    if (info.verb !== 'update' && info.verb !== 'patch') throw ApiError.methodNotAllowed();
    const kind = info.verb === 'update' ? 'UpdateOptions' : 'PatchOptions';
    const validation = fieldValidationOf(query, kind);
    const ctx = this.main.writeContext(info, query, manager, 'scale', validation, [], kind);
    let scale: KubeObject;
    if (info.verb === 'update') {
      scale = await this.main.readObject(req, store, validation, scaleKind);
    } else {
      const patchType = patchTypeOf(req);
      const body = await readBody(req);
      if (patchType === 'apply') {
        scale = parseApplyPatch(body);
        checkKind(scale, scaleKind);
        checkAppliedTypes('autoscaling/v1/Scale', scale);
      } else {
        const current = await store.get(info.namespace, info.name);
        scale = applyPatch({ obj: scaleOf(current, sub), patchType, patch: body, kindKey: 'autoscaling/v1/Scale' });
        checkPatchedTypes('autoscaling/v1/Scale', scale);
      }
    }
    sendJSON(res, 200, await writeScale(store, info, sub, scale, ctx));
  }

  private async bind(req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, sub: BindSubresource, query: URLSearchParams): Promise<void> {
    const body = await this.main.readObject(req, store, fieldValidationOf(query, 'CreateOptions'), sub.bodyKind);
    // POST …/pods/<name>/binding names the pod in the URL; POST …/bindings names it in the body.
    const name = info.name || body.metadata?.name || '';
    const errors = sub.validate(body);
    if (errors.length) throw ApiError.invalid(sub.bodyKind.kind, '', name, errors);
    const now = new Date();
    await store.guaranteedUpdate(info.namespace, name, (parent) => sub.apply(parent!, body, now),
      { dryRun: dryRunOf(query, 'CreateOptions'), now, admit: info.admit }, { subresource: info.subresource, strategy: asIs });
    sendJSON(res, 201, successStatus());
  }

  /** TokenRequest: the parent must exist; the token is made by the server's issuer and returned, not stored. */
  private async token(req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, bodyKind: BodyKind, query: URLSearchParams): Promise<void> {
    const body = await this.main.readObject(req, store, fieldValidationOf(query, 'CreateOptions'), bodyKind);
    const parent = await store.get(info.namespace, info.name);
    // NodeRestriction: a node's TokenRequest must bind the token to a pod running on that node
    await info.admit?.(body, parent);
    sendJSON(res, 201, await this.deps.issueToken!(parent, body, dryRunOf(query, 'CreateOptions')));
  }

  /** Eviction deletes the parent with the Eviction's own DeleteOptions (grace period, preconditions, dryRun). */
  private async evict(req: IncomingMessage, res: ServerResponse, store: GenericStore, info: ResourceRequest, sub: EvictSubresource, query: URLSearchParams): Promise<void> {
    const body = await this.main.readObject(req, store, fieldValidationOf(query, 'CreateOptions'), sub.bodyKind);
    if (body.metadata?.name && body.metadata.name !== info.name) {
      throw ApiError.badRequest(`name in URL does not match name in Eviction object`);
    }
    const options = ((body as { deleteOptions?: DeleteOptions }).deleteOptions ?? {}) as DeleteOptions;
    const dryRun = dryRunOf(query, 'CreateOptions') || dryRunAll(options.dryRun, 'DeleteOptions');
    const now = new Date();
    if (sub.prepare && !dryRun) {
      await store.guaranteedUpdate(info.namespace, info.name, (parent) => {
        checkPreconditions(store.info, parent!, options);
        return sub.prepare!(parent!, now);
      }, { dryRun, now, admit: info.admit }, { subresource: 'eviction', strategy: asIs });
    }
    await store.delete(info.namespace, info.name, options, { dryRun, now, admit: info.admit });
    sendJSON(res, 201, successStatus());
  }
}

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const p of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

function setPath(obj: KubeObject, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
  cur[parts[parts.length - 1]] = value;
}

/** The autoscaling/v1 Scale view of an object with a scale subresource. */
export function scaleOf(obj: KubeObject, sub: ScaleSubresourceStrategy): KubeObject {
  const meta = obj.metadata ?? {};
  const { specReplicasPath, statusReplicasPath } = sub.paths;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: meta.name, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion, creationTimestamp: meta.creationTimestamp },
    spec: { replicas: (getPath(obj, specReplicasPath) as number | undefined) ?? 0 },
    status: { replicas: (getPath(obj, statusReplicasPath) as number | undefined) ?? 0, selector: sub.selector?.(obj) ?? selectorString(getPath(obj, 'spec.selector')) },
  };
}

/** Writes a Scale's spec.replicas into the parent, through the parent's own strategy (generation, validation). */
async function writeScale(store: GenericStore, info: ResourceRequest, sub: ScaleSubresourceStrategy, scale: KubeObject, ctx: WriteContext): Promise<KubeObject> {
  const errors = sub.validate(scale);
  if (errors.length) throw ApiError.invalid('Scale', 'autoscaling', info.name, errors);
  const replicas = (scale.spec as { replicas?: number } | undefined)?.replicas ?? 0;
  const { object } = await store.guaranteedUpdate(info.namespace, info.name, (current) => {
    const pinned = scale.metadata?.resourceVersion;
    const next = structuredClone(current!);
    if (pinned) next.metadata = { ...next.metadata, resourceVersion: pinned };
    else delete next.metadata!.resourceVersion;
    setPath(next, sub.paths.specReplicasPath, replicas);
    return next;
  }, ctx, { subresource: 'scale' });
  return scaleOf(object, sub);
}
