// ServiceAccount controller (upstream serviceaccounts-controller): every active namespace has a `default`
// ServiceAccount; one deleted is created again. Level-triggered on namespaces and on ServiceAccounts named
// `default`; terminating namespaces are left alone (the apiserver would refuse the create anyway).
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { Action } from '../../client/controller.ts';
import { isAlreadyExists, isForbidden } from '../../client/errors.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { namespacesRef, serviceAccountsRef } from './refs.ts';

/** The accounts every namespace gets (upstream hard-codes the one named "default"). */
const accountNames = ['default'];

export class ServiceAccountController extends Controller {
  private readonly namespaces: Informer<Namespace>;
  private readonly accounts: Informer<ServiceAccount>;

  constructor(ctx: ControllerContext) {
    super(ctx, { name: 'serviceaccount', workers: ctx.options.concurrentServiceAccountSyncs });
    this.namespaces = this.informer<Namespace>(namespacesRef);
    this.accounts = this.informer<ServiceAccount>(serviceAccountsRef);
    this.namespaces.addEventHandler({ onAdd: (ns) => this.queue.add(ns.metadata!.name!), onUpdate: (_, ns) => this.queue.add(ns.metadata!.name!) });
    this.accounts.addEventHandler({
      onDelete: (sa) => {
        if (accountNames.includes(sa.metadata?.name ?? '')) this.queue.add(sa.metadata!.namespace!);
      },
    });
  }

  /** key: a namespace name. */
  async reconcile(nsName: string, signal: AbortSignal): Promise<Action> {
    const ns = this.namespaces.lister.get('', nsName);
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    for (const name of accountNames) {
      if (this.accounts.lister.get(nsName, name)) continue;
      const sa: ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: nsName } };
      try {
        await this.ctx.client.create(serviceAccountsRef, sa, { namespace: nsName, signal });
      } catch (err) {
        // AlreadyExists: our cache lags; Forbidden: the namespace began terminating meanwhile.
        if (!isAlreadyExists(err) && !isForbidden(err)) throw err;
      }
    }
  }
}

export async function startServiceAccountController(ctx: ControllerContext): Promise<void> {
  await new ServiceAccountController(ctx).run();
}
