// ServiceAccount controller (upstream serviceaccounts-controller): every active namespace has a `default`
// ServiceAccount; one deleted is created again. Level-triggered on namespaces and on ServiceAccounts named
// `default`; terminating namespaces are left alone (the apiserver would refuse the create anyway).
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { WorkQueue, isAlreadyExists, isForbidden, runController } from '../../client/index.ts';
import { findResource } from '../../api/resources.ts';
import type { ControllerContext } from './context.ts';

export const namespacesRef = findResource('', 'v1', 'namespaces')!;
export const serviceAccountsRef = findResource('', 'v1', 'serviceaccounts')!;

/** The accounts every namespace gets (upstream hard-codes the one named "default"). */
const accountNames = ['default'];

export async function startServiceAccountController(ctx: ControllerContext): Promise<void> {
  const names = accountNames;
  const namespaces = ctx.informers.informerFor<Namespace>(namespacesRef);
  const accounts = ctx.informers.informerFor<ServiceAccount>(serviceAccountsRef);
  const queue = new WorkQueue<string>();
  namespaces.addEventHandler({ onAdd: (ns) => queue.add(ns.metadata!.name!), onUpdate: (_, ns) => queue.add(ns.metadata!.name!) });
  accounts.addEventHandler({
    onDelete: (sa) => {
      if (names.includes(sa.metadata?.name ?? '')) queue.add(sa.metadata!.namespace!);
    },
  });
  await runController({
    name: 'serviceaccount',
    queue,
    signal: ctx.signal,
    workers: ctx.options.concurrentServiceAccountSyncs,
    synced: [namespaces.synced, accounts.synced],
    reconcile: async (nsName, signal) => {
      const ns = namespaces.lister.get('', nsName);
      if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
      for (const name of names) {
        if (accounts.lister.get(nsName, name)) continue;
        const sa: ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: nsName } };
        try {
          await ctx.client.create(serviceAccountsRef, sa, { namespace: nsName, signal });
        } catch (err) {
          // AlreadyExists: our cache lags; Forbidden: the namespace began terminating meanwhile.
          if (!isAlreadyExists(err) && !isForbidden(err)) throw err;
        }
      }
    },
  });
}
