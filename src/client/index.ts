// The public API of the client library: everything a component (scheduler, controllers, kubelet, proxy, CLI)
// needs to talk to the API server. Test helpers (testing/) are deliberately not exported here. A controller reads:
//
//   const client = RestClient.fromKubeconfig(flags.kubeconfig, { userAgent: 'skiff-controller-manager' });
//   const factory = new InformerFactory(client);
//   const rs = factory.informerFor<ReplicaSet>(findResource('apps', 'v1', 'replicasets')!);
//   const queue = new WorkQueue<string>();
//   enqueueOnChange(rs, queue);
//   factory.start(signal);
//   await runController({ name: 'replicaset', queue, workers: 5, signal, synced: [rs.synced],
//     reconcile: async (key, signal) => {
//       const { namespace, name } = splitKey(key);
//       const obj = rs.lister.get(namespace, name); // undefined: it was deleted
//       ...compare desired with actual, write through client...
//     } });
export { type Clock, type Timer, FakeClock, realClock, sleep } from './clock.ts';
export {
  StatusError, statusErrorFrom, isAbortError, isAlreadyExists, isConflict, isForbidden, isGone, isInvalid, isNotFound,
  isTooManyRequests,
} from './errors.ts';
export { type ClientConfig, type KubeconfigOptions, defaultKubeconfigPath, inClusterConfig, loadKubeconfig, parseKubeconfig } from './kubeconfig.ts';
export { type ResourceRef, type PathParts, queryString, refKey, resourcePath, resourceRef } from './resource-ref.ts';
export type { ApiObject } from './types.ts';
export { HttpTransport, type HttpTransportOptions, type Transport, type TransportRequest, type TransportResponse, readAll } from './transport.ts';
export { inProcessTransport, memoryPipe } from './in-process.ts';
export {
  type CallOptions, type DeleteOptions, type GetOptions, type KubeList, type ListOptions, type PatchOptions, type PatchType,
  type RawRequest, RestClient, type RestClientOptions, type WriteOptions,
} from './rest.ts';
export { type WatchEvent, type WatchOptions, parseWatchStream, watch, watchPath } from './watch.ts';
export { type LabelMatcher, type Labels, formatLabelSelector, labelSelectorMatcher, parseLabelSelector } from './selector.ts';
export { TokenBucket } from './token-bucket.ts';
export {
  Cache, type IndexFunc, Lister, type Selector, byNamespace, byNodeName, byOwner, defaultIndexers, objectKey, splitKey,
} from './cache.ts';
export { type Delta, type ListWatchOptions, Reflector, type ReflectorOptions, metadataListAccept, metadataObjectAccept } from './reflector.ts';
export {
  type EventHandler, Informer, InformerFactory, type InformerFactoryOptions, type InformerOptions, type SharedInformers, scopedInformers, waitForSync,
} from './informer.ts';
export {
  BucketRateLimiter, ItemExponentialRateLimiter, ItemFastSlowRateLimiter, type RateLimiter, defaultControllerRateLimiter, maxOf,
} from './rate-limiters.ts';
export { WorkQueue, type WorkQueueOptions } from './workqueue.ts';
export { type Action, type ControllerOptions, TerminalError, controllerOwnerKey, enqueueOnChange, runController } from './controller.ts';
export { type LeaderElectionOptions, formatMicroTime, leasesRef, runWithLeaderElection } from './leader-election.ts';
export { EventRecorder, type EventRecorderOptions, type EventType, eventsRef, formatTime, objectReference } from './events.ts';
