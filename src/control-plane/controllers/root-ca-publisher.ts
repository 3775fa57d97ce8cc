// Root CA certificate publisher (upstream root-ca-certificate-publisher-controller): every active namespace has
// the ConfigMap kube-root-ca.crt holding the cluster CA in ca.crt, which the kube-api-access volume that admission
// gives pods projects to /var/run/secrets/kubernetes.io/serviceaccount/ca.crt, so in-cluster clients verify the API
// server. The CA is --root-ca-file's upstream; here the one in the controller-manager's own kubeconfig (the
// cluster's CA, which signed the API server's serving certificate). Level-triggered on namespaces and on that
// ConfigMap: one changed or deleted is written back.
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import type { Action } from '../../client/controller.ts';
import { isAlreadyExists, isForbidden, isNotFound } from '../../client/errors.ts';
import type { Informer } from '../../client/informer.ts';
import { resourceRef } from '../../client/resource-ref.ts';
import { Controller } from './base.ts';
import type { ControllerContext } from './context.ts';
import { namespacesRef } from './refs.ts';

export const rootCAConfigMap = 'kube-root-ca.crt';
const configMapsRef = resourceRef('v1', 'configmaps');
/** Upstream's annotation on the ConfigMap, word for word. */
const description = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';
const descriptionKey = 'kubernetes.io/description';

export class RootCAPublisher extends Controller {
  private readonly namespaces: Informer<Namespace>;
  private readonly configMaps: Informer<ConfigMap>;

  constructor(ctx: ControllerContext, private readonly rootCA: string) {
    super(ctx, { name: 'root-ca-certificate-publisher', workers: 1 });
    this.namespaces = this.informer<Namespace>(namespacesRef);
    this.configMaps = this.informer<ConfigMap>(configMapsRef, { fieldSelector: `metadata.name=${rootCAConfigMap}` });
    this.namespaces.addEventHandler({ onAdd: (ns) => this.queue.add(ns.metadata!.name!), onUpdate: (_, ns) => this.queue.add(ns.metadata!.name!) });
    const again = (cm: ConfigMap): void => this.queue.add(cm.metadata!.namespace!);
    this.configMaps.addEventHandler({ onUpdate: (_, cm) => again(cm), onDelete: again });
  }

  /** key: a namespace name. */
  async reconcile(nsName: string, signal: AbortSignal): Promise<Action> {
    const ns = this.namespaces.lister.get('', nsName);
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    const cm = this.configMaps.lister.get(nsName, rootCAConfigMap);
    if (cm && cm.data?.['ca.crt'] === this.rootCA && cm.metadata?.annotations?.[descriptionKey] === description) return;
    const want: ConfigMap = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { ...(cm?.metadata ?? {}), name: rootCAConfigMap, namespace: nsName, annotations: { ...(cm?.metadata?.annotations ?? {}), [descriptionKey]: description } },
      data: { 'ca.crt': this.rootCA },
    };
    try {
      if (cm) await this.ctx.client.update(configMapsRef, want, { namespace: nsName, signal });
      else await this.ctx.client.create(configMapsRef, want, { namespace: nsName, signal });
    } catch (err) {
      // AlreadyExists / NotFound: the cache lags and the next event brings it; Forbidden: the namespace is terminating
      if (!isAlreadyExists(err) && !isNotFound(err) && !isForbidden(err)) throw err;
    }
  }
}

export async function startRootCAPublisher(ctx: ControllerContext): Promise<void> {
  const ca = ctx.client.ca?.toString('utf8');
  if (!ca) {
    // a client without a CA (an in-process transport) has nothing to publish; pods mounting it wait, as upstream's do
    console.error('controller root-ca-certificate-publisher: the controller-manager\'s kubeconfig names no CA; kube-root-ca.crt is not published');
    await new Promise<void>((resolve) => ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    return;
  }
  await new RootCAPublisher(ctx, ca).run();
}
