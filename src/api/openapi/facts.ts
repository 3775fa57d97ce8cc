// Facts about the Kubernetes API that TypeScript declarations cannot carry, written out as small tables:
// integer widths, byte maps, formats of named scalar types, strategic-merge-patch and list-type markers
// (upstream's `+patchStrategy`, `+listType` comments), and group/version/kind of meta types.
import type { GroupVersionKind, Schema } from './schema.ts';

const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';

const int64: Schema = { type: 'integer', format: 'int64' };

/** `Type.field` -> schema of a `number` field that is not an int32 (the default). */
export const numberFormats: Record<string, Schema> = {};
for (const f of [
  'ObjectMeta.generation', 'ObjectMeta.deletionGracePeriodSeconds', 'ListMeta.remainingItemCount',
  'DeleteOptions.gracePeriodSeconds', 'Condition.observedGeneration',
  'DeploymentStatus.observedGeneration', 'ReplicaSetStatus.observedGeneration',
  'PodSpec.activeDeadlineSeconds', 'PodSpec.terminationGracePeriodSeconds',
  'Probe.terminationGracePeriodSeconds', 'Toleration.tolerationSeconds',
  'SecurityContext.runAsUser', 'SecurityContext.runAsGroup',
  'PodSecurityContext.runAsUser', 'PodSecurityContext.runAsGroup', 'PodSecurityContext.fsGroup',
  'PodSecurityContext.supplementalGroups', 'ContainerImage.sizeBytes', 'EmptyDirVolumeSource.sizeLimit',
  'ServiceAccountTokenProjection.expirationSeconds', 'PodCondition.observedGeneration', 'PodStatus.observedGeneration',
  'NamespaceCondition.observedGeneration', 'ContainerUser.uid', 'LinuxContainerUser.uid', 'LinuxContainerUser.gid',
  'LinuxContainerUser.supplementalGroups', 'SleepAction.seconds',
]) numberFormats[f] = int64;

/** Fields whose map values are base64 bytes (`map[string][]byte` upstream). */
export const byteMaps = new Set<string>([
  'io.k8s.api.core.v1.Secret.data',
  'io.k8s.api.core.v1.ConfigMap.binaryData',
]);

/** Named scalar types: extra keys for their schema. */
export const schemaFormats: Record<string, Schema> = {
  [`${meta}.Time`]: { format: 'date-time' },
  [`${meta}.MicroTime`]: { format: 'date-time' },
  // A quantity is written either as a string ("100m") or a bare number.
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: undefined, oneOf: [{ type: 'string' }, { type: 'number' }] },
};

/** Schemas with no TypeScript declaration (kubernetes-types inlines them). */
export const syntheticSchemas: Record<string, Schema> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and ' +
      'unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field ' +
      'that can accept a name or number.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
  },
};

const mergeByName: Schema = {
  'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-list-type': 'map',
  'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge',
};
const mergeByType: Schema = {
  'x-kubernetes-list-map-keys': ['type'], 'x-kubernetes-list-type': 'map',
  'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-patch-strategy': 'merge',
};
const atomic: Schema = { 'x-kubernetes-list-type': 'atomic' };
const set: Schema = { 'x-kubernetes-list-type': 'set' };

/** `Type.field` -> list/patch markers from upstream's struct tags and +listType comments. */
export const fieldFacts: Record<string, Schema> = {
  'PodSpec.containers': mergeByName,
  'PodSpec.initContainers': mergeByName,
  'PodSpec.ephemeralContainers': mergeByName,
  'PodSpec.volumes': { ...mergeByName, 'x-kubernetes-patch-strategy': 'merge,retainKeys' },
  'PodSpec.imagePullSecrets': mergeByName,
  'PodSpec.tolerations': atomic,
  'PodSpec.hostAliases': {
    'x-kubernetes-list-map-keys': ['ip'], 'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': 'ip', 'x-kubernetes-patch-strategy': 'merge',
  },
  'PodSpec.topologySpreadConstraints': {
    'x-kubernetes-list-map-keys': ['topologyKey', 'whenUnsatisfiable'], 'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': 'topologyKey', 'x-kubernetes-patch-strategy': 'merge',
  },
  'PodSpec.readinessGates': atomic,
  'PodSpec.resourceClaims': { ...mergeByName, 'x-kubernetes-patch-strategy': 'merge,retainKeys' },
  'PodSpec.schedulingGates': mergeByName,
  'Container.ports': {
    'x-kubernetes-list-map-keys': ['containerPort', 'protocol'], 'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': 'containerPort', 'x-kubernetes-patch-strategy': 'merge',
  },
  'Container.env': mergeByName,
  'Container.envFrom': atomic,
  'Container.volumeMounts': {
    'x-kubernetes-list-map-keys': ['mountPath'], 'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': 'mountPath', 'x-kubernetes-patch-strategy': 'merge',
  },
  'Container.volumeDevices': {
    'x-kubernetes-list-map-keys': ['devicePath'], 'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': 'devicePath', 'x-kubernetes-patch-strategy': 'merge',
  },
  'Container.command': atomic,
  'Container.args': atomic,
  'Container.resizePolicy': atomic,
  'PodStatus.conditions': mergeByType,
  'NodeStatus.conditions': mergeByType,
  'NodeStatus.addresses': mergeByType,
  'NamespaceStatus.conditions': mergeByType,
  'DeploymentStatus.conditions': mergeByType,
  'ReplicaSetStatus.conditions': mergeByType,
  'ServiceStatus.conditions': {
    'x-kubernetes-list-map-keys': ['type'], 'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-patch-strategy': 'merge',
  },
  'ServiceSpec.ports': {
    'x-kubernetes-list-map-keys': ['port', 'protocol'], 'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': 'port', 'x-kubernetes-patch-strategy': 'merge',
  },
  'ServiceSpec.externalIPs': atomic,
  'ServiceSpec.clusterIPs': atomic,
  'ServiceSpec.ipFamilies': atomic,
  'ServiceSpec.loadBalancerSourceRanges': atomic,
  'DeploymentSpec.strategy': { 'x-kubernetes-patch-strategy': 'retainKeys' },
  'ObjectMeta.finalizers': { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
  'ObjectMeta.ownerReferences': {
    'x-kubernetes-list-map-keys': ['uid'], 'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': 'uid', 'x-kubernetes-patch-strategy': 'merge',
  },
  'ObjectMeta.managedFields': atomic,
  'NodeSpec.podCIDRs': { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
  'NodeSpec.taints': atomic,
  'PodStatus.podIPs': {
    'x-kubernetes-list-map-keys': ['ip'], 'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': 'ip', 'x-kubernetes-patch-strategy': 'merge',
  },
  'PodStatus.hostIPs': {
    'x-kubernetes-list-type': 'atomic', 'x-kubernetes-patch-merge-key': 'ip', 'x-kubernetes-patch-strategy': 'merge',
  },
  'PodStatus.resourceClaimStatuses': { ...mergeByName, 'x-kubernetes-patch-strategy': 'merge,retainKeys' },
  'ContainerStatus.volumeMounts': {
    'x-kubernetes-list-map-keys': ['mountPath'], 'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': 'mountPath', 'x-kubernetes-patch-strategy': 'merge',
  },
  'ServiceAccount.secrets': mergeByName,
  'ResourceRequirements.claims': { 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-list-type': 'map' },
  'PodStatus.containerStatuses': atomic,
  'PodStatus.initContainerStatuses': atomic,
  'PodStatus.ephemeralContainerStatuses': atomic,
  'EndpointSlice.endpoints': atomic,
  'EndpointSlice.ports': atomic,
  'Endpoint.addresses': set,
  'EndpointSubset.addresses': atomic,
  'EndpointSubset.notReadyAddresses': atomic,
  'EndpointSubset.ports': atomic,
  'Endpoints.subsets': atomic,
  'LabelSelector.matchExpressions': atomic,
  'LabelSelectorRequirement.values': atomic,
  'Capabilities.add': atomic,
  'Capabilities.drop': atomic,
  'ExecAction.command': atomic,
  'HTTPGetAction.httpHeaders': atomic,
};

// Ephemeral containers carry the same list semantics as containers.
for (const [k, v] of Object.entries(fieldFacts)) {
  if (k.startsWith('Container.')) fieldFacts[`EphemeralContainer.${k.slice('Container.'.length)}`] = v;
}

// Lists upstream marks `+listType=atomic` (replaced whole by patches and apply).
for (const f of [
  'CephFSVolumeSource.monitors', 'RBDVolumeSource.monitors', 'ConfigMapProjection.items', 'ConfigMapVolumeSource.items',
  'SecretProjection.items', 'SecretVolumeSource.items', 'DownwardAPIProjection.items', 'DownwardAPIVolumeSource.items',
  'ProjectedVolumeSource.sources', 'ContainerImage.names', 'FCVolumeSource.targetWWNs', 'FCVolumeSource.wwids',
  'ISCSIVolumeSource.portals', 'HostAlias.hostnames', 'LoadBalancerIngress.ports', 'LoadBalancerStatus.ingress',
  'NamespaceSpec.finalizers', 'NodeAffinity.preferredDuringSchedulingIgnoredDuringExecution',
  'NodeSelector.nodeSelectorTerms', 'NodeSelectorRequirement.values', 'NodeSelectorTerm.matchExpressions',
  'NodeSelectorTerm.matchFields', 'NodeStatus.images', 'NodeStatus.runtimeHandlers', 'NodeStatus.volumesAttached',
  'NodeStatus.volumesInUse', 'PersistentVolumeClaimSpec.accessModes',
  'PodAffinity.preferredDuringSchedulingIgnoredDuringExecution', 'PodAffinity.requiredDuringSchedulingIgnoredDuringExecution',
  'PodAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution',
  'PodAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution', 'PodAffinityTerm.matchLabelKeys',
  'PodAffinityTerm.mismatchLabelKeys', 'PodAffinityTerm.namespaces', 'PodDNSConfig.nameservers', 'PodDNSConfig.options',
  'PodDNSConfig.searches', 'PodSecurityContext.supplementalGroups', 'PodSecurityContext.sysctls',
  'ServiceAccount.imagePullSecrets', 'TopologySpreadConstraint.matchLabelKeys', 'EndpointHints.forZones',
  'APIGroup.serverAddressByClientCIDRs', 'APIGroup.versions', 'APIGroupList.groups', 'APIResource.categories',
  'APIResource.shortNames', 'APIResourceList.resources', 'APIVersions.serverAddressByClientCIDRs', 'APIVersions.versions',
  'DeleteOptions.dryRun', 'StatusDetails.causes',
]) fieldFacts[f] ??= atomic;

/** Group/version/kinds of schemas whose declarations do not fix apiVersion/kind to literals. */
export const extraGvks: Record<string, GroupVersionKind[]> = {
  [`${meta}.Status`]: [{ group: '', kind: 'Status', version: 'v1' }],
  [`${meta}.DeleteOptions`]: ['', 'apps', 'autoscaling', 'coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io', 'policy']
    .map((group) => ({ group, kind: 'DeleteOptions', version: 'v1' })),
  [`${meta}.WatchEvent`]: ['', 'apps', 'autoscaling', 'coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io', 'policy']
    .map((group) => ({ group, kind: 'WatchEvent', version: 'v1' })),
};
