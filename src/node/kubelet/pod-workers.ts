// The kubelet's pod workers: an informer over the pods bound to this node (spec.nodeName field selector), a work
// queue fed by it, by the PLEG's relists of the runtime and by probe results, and reconcilers (PodSyncer) that read
// ConfigMaps, Secrets, service account tokens and the claims and volumes behind persistentVolumeClaim volumes from
// the API as they need them; an informer over every Service gives containers their Service variables (env.ts).
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import {
  type EventRecorder, InformerFactory, type ResourceRef, type RestClient, WorkQueue, isNotFound, objectKey, realClock, resourceRef,
  runController, splitKey,
} from '../../client/index.ts';
import type { CriClient } from '../cri/client.ts';
import { Backoff } from '../../client/backoff.ts';
import { ImagePuller } from './image-puller.ts';
import { Pleg } from './pleg.ts';
import { type PodSyncDeps, PodSyncer, podsRef } from './pod-sync.ts';
import { ProbeManager } from './prober.ts';

const configMapsRef = resourceRef('v1', 'configmaps', true);
const secretsRef = resourceRef('v1', 'secrets', true);
const serviceAccountsRef = resourceRef('v1', 'serviceaccounts', true);
const persistentVolumeClaimsRef = resourceRef('v1', 'persistentvolumeclaims', true);
const persistentVolumesRef = resourceRef('v1', 'persistentvolumes', false);
const servicesRef = resourceRef('v1', 'services', true);

export interface PodWorkerOptions extends Pick<PodSyncDeps, 'hostIP' | 'runtimeName' | 'logRoot' | 'podsDir' | 'dns' | 'networkReady' | 'log'> {
  client: RestClient;
  cri: CriClient;
  recorder: EventRecorder;
  nodeName: string;
  workers: number;
  signal: AbortSignal;
}

/** A bound token for the pod's service account (TokenRequest), or undefined when the server cannot issue one. */
async function serviceAccountToken(client: RestClient, pod: Pod, audience: string | undefined, expirationSeconds: number, log: (m: string) => void): Promise<string | undefined> {
  const sa = pod.spec?.serviceAccountName || 'default';
  const boundObjectRef = { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid };
  try {
    const res = await client.createSubresource<{ status?: { token?: string } }>(serviceAccountsRef, sa, 'token', {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: audience ? [audience] : [], expirationSeconds, boundObjectRef },
    }, { namespace: pod.metadata?.namespace });
    return res.status?.token;
  } catch (err) {
    log(`service account token for ${pod.metadata?.namespace}/${pod.metadata?.name}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** Runs until signal aborts; resolves once every worker, the PLEG and the probes have stopped. */
export async function runPodWorkers(o: PodWorkerOptions): Promise<void> {
  const { client, cri, recorder, signal } = o;
  const get = async <T extends object>(ref: ResourceRef, ns: string, name: string): Promise<T | undefined> => {
    try {
      return await client.get<T & { metadata?: object }>(ref, name, { namespace: ns, signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  const factory = new InformerFactory(client);
  // every Service, as upstream's kubelet watches them: containers get their variables (env.ts serviceEnv)
  const services = factory.informerFor<Service>(servicesRef);
  const queue = new WorkQueue<string>();
  const probes = new ProbeManager({ cri, recorder, onChange: (key) => queue.add(key) });
  signal.addEventListener('abort', () => probes.stopAll(), { once: true });
  const syncer = new PodSyncer({
    ...o,
    probes,
    puller: new ImagePuller(cri, recorder, new Backoff(), (ns, name) => get<Secret>(secretsRef, ns, name)),
    restartBackoff: new Backoff(),
    envSources: {
      configMap: (ns, name) => get<ConfigMap>(configMapsRef, ns, name),
      secret: (ns, name) => get<Secret>(secretsRef, ns, name),
      services: () => services.lister.list(),
      serviceAccountToken: (pod, audience, expirationSeconds) => serviceAccountToken(client, pod, audience, expirationSeconds, o.log),
      persistentVolumeClaim: (ns, name) => get<PersistentVolumeClaim>(persistentVolumeClaimsRef, ns, name),
      persistentVolume: (name) => get<PersistentVolume>(persistentVolumesRef, '', name),
    },
    clock: realClock,
  });
  const pods = factory.informerFor<Pod>(podsRef, { fieldSelector: `spec.nodeName=${o.nodeName}` });
  // as enqueueOnChange, except that the kubelet's own status writes coming back do not re-sync the pod
  pods.addEventHandler({
    onAdd: (p) => queue.add(objectKey(p)),
    onUpdate: (old, p) => {
      if (!syncer.isOwnStatusEcho(old, p)) queue.add(objectKey(p));
    },
    onDelete: (p) => queue.add(objectKey(p)),
  });
  factory.start(signal);
  const pleg = new Pleg(cri, (key) => queue.add(key), 1000, realClock, o.log);
  const plegDone = pods.synced.then(() => pleg.run(signal));
  const workers = runController({
    name: 'kubelet-pods',
    queue,
    workers: o.workers,
    signal,
    // upstream refuses to make a container's environment before it has read the Services once
    synced: [pods.synced, services.synced],
    reconcile: async (key, sig) => {
      const { namespace, name } = splitKey(key);
      return syncer.sync(namespace || 'default', name, pods.lister.get(namespace || 'default', name), sig);
    },
    onError: (key, err) => o.log(`syncing pod ${key}: ${err instanceof Error ? err.message : String(err)}`),
  });
  await Promise.all([workers, plegDone]);
}
