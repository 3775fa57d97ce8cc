// Namespace controller (upstream namespace-controller's deleter): a namespace with a deletionTimestamp has every
// namespaced object in it deleted, resource by resource from the served-resource table; while anything remains
// the namespace's status conditions say why (as upstream's five Namespace*Deletion* conditions) and the key is
// requeued; once empty, the `kubernetes` finalizer is removed through PUT …/namespaces/<ns>/finalize and the
// apiserver deletes the namespace. Objects held by their own finalizers are waited for, never forced.
import type { Namespace, NamespaceCondition } from 'kubernetes-types/core/v1.js';
import type { Status } from 'kubernetes-types/meta/v1.js';
import type { Action } from '../../client/controller.ts';
import { isConflict, isNotFound } from '../../client/errors.ts';
import { formatTime } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { resourcePath } from '../../client/resource-ref.ts';
import type { KubeList, RestClient } from '../../client/rest.ts';
import type { ResourceInfo } from '../../api/resource-info.ts';
import { resources } from '../../api/resources.ts';
import type { KubeObject } from '../../api/object.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { namespacesRef } from './refs.ts';

export const namespaceFinalizer = 'kubernetes';

/** Namespaced resources that can be listed and deleted, i.e. what a namespace can hold. */
export function deletableResources(all: ResourceInfo[] = resources): ResourceInfo[] {
  return all.filter((r) => r.namespaced && !r.virtual && r.verbs.includes('list') && r.verbs.includes('delete'));
}

export interface ContentSummary {
  /** "<resource>.<group> has N resource instances" per resource with leftovers. */
  remaining: string[];
  /** Finalizers still on leftover objects, with how many objects carry each. */
  finalizers: Map<string, number>;
  /** Errors met while deleting (one line per resource). */
  errors: string[];
}

/** Deletes what is left in a namespace (Background propagation, as upstream's deleter); reports what remains. */
export async function deleteContent(client: RestClient, namespace: string, signal: AbortSignal): Promise<ContentSummary> {
  const out: ContentSummary = { remaining: [], finalizers: new Map(), errors: [] };
  await Promise.all(deletableResources().map(async (r) => {
    const gr = r.group ? `${r.resource}.${r.group}` : r.resource;
    try {
      if (r.verbs.includes('deletecollection')) {
        await client.request<Status>({ method: 'DELETE', path: resourcePath(r, { namespace }), body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' }, signal });
      }
      const left = await client.listAll<KubeObject>(r, { namespace, signal });
      for (const obj of left.items) {
        if (!obj.metadata?.deletionTimestamp) {
          try {
            await client.delete(r, obj.metadata!.name!, { namespace, signal, propagationPolicy: 'Background', preconditions: { uid: obj.metadata!.uid } });
          } catch (err) {
            if (!isNotFound(err) && !isConflict(err)) throw err;
          }
        }
      }
      const after: KubeList<KubeObject> = left.items.length ? await client.listAll<KubeObject>(r, { namespace, signal }) : left;
      if (after.items.length) out.remaining.push(`${gr} has ${after.items.length} resource instances`);
      for (const obj of after.items) {
        for (const f of obj.metadata?.finalizers ?? []) out.finalizers.set(f, (out.finalizers.get(f) ?? 0) + 1);
      }
    } catch (err) {
      if (signal.aborted) throw err;
      out.errors.push(`${gr}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }));
  out.remaining.sort();
  out.errors.sort();
  return out;
}

/** Upstream's five deletion conditions, True where something is wrong or left. */
export function deletionConditions(s: ContentSummary, now: string, old: NamespaceCondition[] = []): NamespaceCondition[] {
  const cond = (type: string, bad: boolean, badReason: string, goodReason: string, message: string): NamespaceCondition => {
    const prev = old.find((c) => c.type === type);
    const status = bad ? 'True' : 'False';
    const c: NamespaceCondition = { type, status, reason: bad ? badReason : goodReason, message: bad ? message : '' };
    c.lastTransitionTime = prev && prev.status === status ? prev.lastTransitionTime : now;
    if (!c.message) delete c.message;
    return c;
  };
  const fins = [...s.finalizers].sort(([a], [b]) => a.localeCompare(b)).map(([f, n]) => `${f} in ${n} resource instances`);
  return [
    cond('NamespaceDeletionDiscoveryFailure', false, 'DiscoveryFailed', 'ResourcesDiscovered', ''),
    cond('NamespaceDeletionGroupVersionParsingFailure', false, 'GroupVersionParsingFailed', 'ParsedGroupVersions', ''),
    cond('NamespaceDeletionContentFailure', s.errors.length > 0, 'ContentDeletionFailed', 'ContentDeleted',
      `Failed to delete all resource types, ${s.errors.length} remaining: ${s.errors.join(', ')}`),
    cond('NamespaceContentRemaining', s.remaining.length > 0, 'SomeResourcesRemain', 'ContentRemoved',
      `Some resources are remaining: ${s.remaining.join(', ')}`),
    cond('NamespaceFinalizersRemaining', fins.length > 0, 'SomeFinalizersRemain', 'ContentHasNoFinalizers',
      `Some content in the namespace has finalizers remaining: ${fins.join(', ')}`),
  ];
}

export class NamespaceController extends Controller {
  private readonly namespaces: Informer<Namespace>;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: 'namespace', workers: ctx.options.concurrentNamespaceSyncs });
    this.namespaces = this.informer<Namespace>(namespacesRef);
    const enqueue = (ns: Namespace): void => {
      if (ns.metadata?.deletionTimestamp) this.queue.add(ns.metadata.name!);
    };
    this.namespaces.addEventHandler({ onAdd: enqueue, onUpdate: (_, ns) => enqueue(ns) });
  }

  async reconcile(name: string, signal: AbortSignal): Promise<Action> {
    const cached = this.namespaces.lister.get('', name);
    if (!cached?.metadata?.deletionTimestamp) return;
    if (!(cached.spec?.finalizers ?? []).includes(namespaceFinalizer)) return;
    const summary = await deleteContent(this.ctx.client, name, signal);
    if (!(await this.writeConditions(cached, summary, signal))) return;
    // Pods finish their graceful termination and finalizers are removed by others: look again soon.
    if (summary.remaining.length || summary.errors.length) return { requeueAfter: summary.errors.length ? 5000 : 1000 };
    await this.finalize(cached, signal);
  }

  /** Writes the deletion conditions when they changed; false when the namespace is gone. */
  private async writeConditions(cached: Namespace, summary: ContentSummary, signal: AbortSignal): Promise<boolean> {
    const conditions = deletionConditions(summary, formatTime(this.now()), cached.status?.conditions);
    if (JSON.stringify(conditions) === JSON.stringify(cached.status?.conditions ?? [])) return true;
    const next: Namespace = { ...structuredClone(cached), status: { ...cached.status, conditions } };
    try {
      await this.ctx.client.updateStatus(namespacesRef, next, { signal });
    } catch (err) {
      if (isNotFound(err)) return false;
      if (!isConflict(err)) throw err;
    }
    return true;
  }

  /** Empty: the `kubernetes` finalizer goes through PUT …/finalize, and the apiserver deletes the namespace. */
  private async finalize(cached: Namespace, signal: AbortSignal): Promise<void> {
    const name = cached.metadata!.name!;
    const finalizers = (cached.spec?.finalizers ?? []).filter((f) => f !== namespaceFinalizer);
    try {
      await this.ctx.client.request<Namespace>({
        method: 'PUT',
        path: resourcePath(namespacesRef, { name, subresource: 'finalize' }),
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers } },
        signal,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

export async function startNamespaceController(ctx: ControllerContext): Promise<void> {
  await new NamespaceController(ctx).run();
}
