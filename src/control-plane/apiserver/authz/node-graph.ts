// The Node authorizer's question "is this object related to that node?" (upstream's graph: pod -> node edges, and
// secret/configmap/pvc/serviceaccount -> pod, pv -> pvc -> pod), answered at request time from the store: the pods
// bound to the node in the object's namespace, read from the watch cache (the same cache the kubelet's pod watch is
// served from, so a pod the kubelet has seen is there), filtered on the stored text before any is parsed.
// Upstream keeps the graph in memory, updated by informers; here a question costs one scan of the namespace's pods
// in the cache (a PersistentVolume's, of every pod), which is cheap beside a container start but grows with the
// number of pods in that namespace.
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { Store } from '../../../store/interface.ts';
import { decodeFromStore, keyFor, prefixFor } from '../registry/object-codec.ts';
import { claimNames, configMapNames, secretNames, serviceAccountName } from './pod-refs.ts';

export type RelatedKind = 'secrets' | 'configmaps' | 'persistentvolumeclaims' | 'persistentvolumes' | 'serviceaccounts';

/** How the authorizers read objects: the graph's scans, NodeRestriction's lookups. */
export interface ObjectReader {
  /** The pods bound to node in namespace ('' = every namespace). */
  podsOnNode(node: string, namespace: string): Promise<Pod[]>;
  /** One stored object of a core resource, or undefined. */
  get<T>(resource: string, namespace: string, name: string): Promise<T | undefined>;
}

export class StoreReader implements ObjectReader {
  constructor(private readonly store: Store) {}

  async podsOnNode(node: string, namespace: string): Promise<Pod[]> {
    // Stored objects are JSON.stringify'd, so a pod bound to node has this exact text; the parse below confirms it.
    const marker = `"nodeName":${JSON.stringify(node)}`;
    const listed = await this.store.list(prefixFor('pods', namespace), { allowCache: true });
    const out: Pod[] = [];
    for (const kv of listed.items) {
      if (!kv.value.includes(marker)) continue;
      const pod = decodeFromStore(kv) as Pod;
      if (pod.spec?.nodeName === node) out.push(pod);
    }
    return out;
  }

  async get<T>(resource: string, namespace: string, name: string): Promise<T | undefined> {
    const kv = await this.store.get(keyFor(resource, namespace, name));
    return kv ? (decodeFromStore(kv) as T) : undefined;
  }
}

/** Whether a pod bound to node references (directly, or for a PV through its bound claim) the named object. */
export async function relatedToNode(reader: ObjectReader, node: string, kind: RelatedKind, namespace: string, name: string): Promise<boolean> {
  if (kind === 'persistentvolumes') {
    for (const pod of await reader.podsOnNode(node, '')) {
      for (const claim of claimNames(pod)) {
        const pvc = await reader.get<PersistentVolumeClaim>('persistentvolumeclaims', pod.metadata?.namespace ?? '', claim);
        if (pvc?.spec?.volumeName === name) return true;
      }
    }
    return false;
  }
  const refs = (pod: Pod): boolean => {
    switch (kind) {
      case 'secrets': return secretNames(pod).has(name);
      case 'configmaps': return configMapNames(pod).has(name);
      case 'persistentvolumeclaims': return claimNames(pod).has(name);
      case 'serviceaccounts': return serviceAccountName(pod) === name;
    }
  };
  return (await reader.podsOnNode(node, namespace)).some(refs);
}
