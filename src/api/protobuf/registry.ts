// The message registry: every proto text of ./schema parsed once into one protobufjs Root, plus the table that
// maps a kind key ("apps/v1/Deployment", "v1/Pod") to its message type. A List form is generated for each
// listable kind (ListMeta metadata = 1, repeated items = 2, as upstream's XList messages are).
import protobuf from 'protobufjs';
import { intstrProto, metaV1Proto, resourceProto, runtimeProto } from './schema/meta.ts';
import { corePodProto } from './schema/core-pod.ts';
import { coreVolumeProto } from './schema/core-volume.ts';
import { coreObjectsProto } from './schema/core-objects.ts';
import { coreNodeProto } from './schema/core-node.ts';
import {
  appsV1Proto, authenticationV1Proto, autoscalingV1Proto, coordinationV1Proto, discoveryV1Proto, eventsV1Proto, policyV1Proto,
} from './schema/groups.ts';
import { batchV1Proto } from './schema/batch.ts';
import { coreStorageProto, storageV1Proto } from './schema/storage.ts';
import { appsStatefulSetProto } from './schema/statefulset.ts';
import { appsDaemonSetProto, coreReplicationControllerProto } from './schema/workloads.ts';

const metaPkg = 'k8s.io.apimachinery.pkg.apis.meta.v1';

interface KindSpec {
  apiVersion: string;
  kind: string;
  /** Proto package holding the message named like the kind. */
  pkg: string;
  list: boolean;
}

const kindSpecs: KindSpec[] = [
  ...['Pod', 'Namespace', 'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'Node', 'Endpoints', 'Event']
    .map((kind) => ({ apiVersion: 'v1', kind, pkg: 'k8s.io.api.core.v1', list: true })),
  { apiVersion: 'v1', kind: 'Binding', pkg: 'k8s.io.api.core.v1', list: false },
  { apiVersion: 'v1', kind: 'Status', pkg: metaPkg, list: false },
  { apiVersion: 'apps/v1', kind: 'Deployment', pkg: 'k8s.io.api.apps.v1', list: true },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', pkg: 'k8s.io.api.apps.v1', list: true },
  { apiVersion: 'batch/v1', kind: 'Job', pkg: 'k8s.io.api.batch.v1', list: true },
  { apiVersion: 'batch/v1', kind: 'CronJob', pkg: 'k8s.io.api.batch.v1', list: true },
  { apiVersion: 'autoscaling/v1', kind: 'Scale', pkg: 'k8s.io.api.autoscaling.v1', list: false },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', pkg: 'k8s.io.api.coordination.v1', list: true },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', pkg: 'k8s.io.api.discovery.v1', list: true },
  { apiVersion: 'events.k8s.io/v1', kind: 'Event', pkg: 'k8s.io.api.events.v1', list: true },
  { apiVersion: 'policy/v1', kind: 'Eviction', pkg: 'k8s.io.api.policy.v1', list: false },
  { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', pkg: 'k8s.io.api.authentication.v1', list: false },
  { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', pkg: metaPkg, list: false },
  { apiVersion: 'v1', kind: 'PersistentVolume', pkg: 'k8s.io.api.core.v1', list: true },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', pkg: 'k8s.io.api.core.v1', list: true },
  { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', pkg: 'k8s.io.api.storage.v1', list: true },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', pkg: 'k8s.io.api.apps.v1', list: true },
  { apiVersion: 'v1', kind: 'ReplicationController', pkg: 'k8s.io.api.core.v1', list: true },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', pkg: 'k8s.io.api.apps.v1', list: true },
  { apiVersion: 'apps/v1', kind: 'ControllerRevision', pkg: 'k8s.io.api.apps.v1', list: true },
];

function listProto(specs: KindSpec[]): string[] {
  const byPkg = new Map<string, string[]>();
  for (const s of specs.filter((x) => x.list)) {
    const lines = byPkg.get(s.pkg) ?? [];
    lines.push(`message ${s.kind}List { optional ${metaPkg}.ListMeta metadata = 1; repeated ${s.kind} items = 2; }`);
    byPkg.set(s.pkg, lines);
  }
  return [...byPkg].map(([pkg, lines]) => `syntax = "proto2";\npackage ${pkg};\n${lines.join('\n')}\n`);
}

function buildRoot(): protobuf.Root {
  const root = new protobuf.Root();
  const texts = [
    intstrProto, resourceProto, runtimeProto, metaV1Proto, corePodProto, coreVolumeProto, coreObjectsProto,
    coreNodeProto, appsV1Proto, autoscalingV1Proto, coordinationV1Proto, discoveryV1Proto, eventsV1Proto,
    policyV1Proto, authenticationV1Proto, batchV1Proto, coreStorageProto, storageV1Proto, appsStatefulSetProto, coreReplicationControllerProto,
    appsDaemonSetProto, ...listProto(kindSpecs),
  ];
  // keepCase: upstream's proto field names are already the JSON names (camelCase, and "Port"/"Raw" as-is).
  for (const text of texts) protobuf.parse(text, root, { keepCase: true });
  root.resolveAll();
  return root;
}

/**
 * Built on first use, not at import: only a request with a protobuf body needs it (the server answers in JSON, and
 * its own components send JSON; kubectl's creates do send protobuf), so a server nobody has sent protobuf to does not
 * hold the parsed Root (~2-3 MiB of heap) nor spend start-up time (~0.2 s) building it.
 */
let built: { root: protobuf.Root; byKey: Map<string, protobuf.Type> } | undefined;

function registry(): { root: protobuf.Root; byKey: Map<string, protobuf.Type> } {
  if (built) return built;
  const root = buildRoot();
  const byKey = new Map<string, protobuf.Type>();
  for (const s of kindSpecs) {
    byKey.set(`${s.apiVersion}/${s.kind}`, root.lookupType(`${s.pkg}.${s.kind}`));
    if (s.list) byKey.set(`${s.apiVersion}/${s.kind}List`, root.lookupType(`${s.pkg}.${s.kind}List`));
  }
  return (built = { root, byKey });
}

/**
 * The message type for an envelope's apiVersion and kind. DeleteOptions is registered in every group version
 * upstream, so it is found under any apiVersion.
 */
export function messageTypeFor(apiVersion: string, kind: string): protobuf.Type | undefined {
  const { byKey } = registry();
  return byKey.get(`${apiVersion}/${kind}`) ?? (kind === 'DeleteOptions' ? byKey.get('meta.k8s.io/v1/DeleteOptions') : undefined);
}

/** Kind keys ("apps/v1/Deployment", "v1/Pod", "v1/PodList", ...) the codec decodes and encodes. */
export function protobufKinds(): string[] {
  return [...registry().byKey.keys()];
}

/** Type lookup by full name, for tests. */
export function lookupMessage(fullName: string): protobuf.Type {
  return registry().root.lookupType(fullName);
}
