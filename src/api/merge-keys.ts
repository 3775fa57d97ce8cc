// How lists and maps of the served kinds merge, as FACTS from upstream's Go struct tags: `patchStrategy` /
// `patchMergeKey` drive strategic merge patch; `+listType`, `+listMapKey` and `+mapType=atomic` drive server-side
// apply (structured-merge-diff). Only the types on a path to something non-default are described: a field not
// listed here is a plain field (maps merge key by key, lists are atomic / replaced wholesale).
// Type names follow upstream's Go type names; a kind is looked up by KindKey in `kindRoots`.
import type { KindKey } from './object.ts';

export interface FieldSchema {
  /** Named type of the value; for a list, of each element. */
  type?: string;
  /** SMP `patchStrategy`: absent means replace. */
  patchStrategy?: 'merge' | 'retainKeys' | 'merge,retainKeys';
  /** SMP `patchMergeKey` (only for lists of objects with strategy merge). */
  patchMergeKey?: string;
  /** SSA list type; absent means atomic. */
  listType?: 'set' | 'map';
  /** SSA keys of a `listType: map` list. */
  listMapKeys?: string[];
  /** SSA: this map / struct is owned and replaced as one value. */
  atomic?: boolean;
}

export interface TypeSchema {
  /** `+structType=atomic` / `+mapType=atomic` on the type itself. */
  atomic?: boolean;
  fields: Record<string, FieldSchema>;
}

/** A list merged by key in both SMP and SSA (`patchStrategy:"merge" patchMergeKey:k` + `listType=map`). */
function byKey(mergeKey: string, type?: string, mapKeys: string[] = [mergeKey]): FieldSchema {
  return { patchStrategy: 'merge', patchMergeKey: mergeKey, listType: 'map', listMapKeys: mapKeys, ...(type ? { type } : {}) };
}
/** Like byKey, with `retainKeys` too (volumes, resourceClaims). */
function byKeyRetain(mergeKey: string, type?: string): FieldSchema {
  return { ...byKey(mergeKey, type), patchStrategy: 'merge,retainKeys' };
}
const ref = (type: string): FieldSchema => ({ type });
const atomicType: TypeSchema = { atomic: true, fields: {} };
const conditions = byKey('type');

export const types: Record<string, TypeSchema> = {
  ObjectMeta: {
    fields: {
      finalizers: { patchStrategy: 'merge', listType: 'set' },
      ownerReferences: byKey('uid', 'OwnerReference'),
    },
  },
  OwnerReference: atomicType,
  LabelSelector: atomicType,
  LocalObjectReference: atomicType,
  ObjectReference: atomicType,
  TypedLocalObjectReference: atomicType,
  ConfigMapKeySelector: atomicType,
  SecretKeySelector: atomicType,
  ObjectFieldSelector: atomicType,
  ResourceFieldSelector: atomicType,
  FileKeySelector: atomicType,
  NodeSelectorTerm: atomicType,
  NodeSelector: { atomic: true, fields: { nodeSelectorTerms: ref('NodeSelectorTerm') } },

  PodTemplateSpec: { fields: { metadata: ref('ObjectMeta'), spec: ref('PodSpec') } },
  PodSpec: {
    fields: {
      affinity: ref('Affinity'),
      containers: byKey('name', 'Container'),
      initContainers: byKey('name', 'Container'),
      ephemeralContainers: byKey('name', 'Container'),
      hostAliases: byKey('ip'),
      imagePullSecrets: byKey('name', 'LocalObjectReference'),
      nodeSelector: { atomic: true },
      resourceClaims: byKeyRetain('name'),
      resources: ref('ResourceRequirements'),
      schedulingGates: byKey('name'),
      topologySpreadConstraints: byKey('topologyKey', 'TopologySpreadConstraint', ['topologyKey', 'whenUnsatisfiable']),
      volumes: byKeyRetain('name', 'Volume'),
    },
  },
  Affinity: { fields: { nodeAffinity: ref('NodeAffinity'), podAffinity: ref('PodAffinity'), podAntiAffinity: ref('PodAffinity') } },
  NodeAffinity: {
    fields: {
      requiredDuringSchedulingIgnoredDuringExecution: ref('NodeSelector'),
      preferredDuringSchedulingIgnoredDuringExecution: ref('PreferredSchedulingTerm'),
    },
  },
  PreferredSchedulingTerm: { fields: { preference: ref('NodeSelectorTerm') } },
  PodAffinity: {
    fields: {
      requiredDuringSchedulingIgnoredDuringExecution: ref('PodAffinityTerm'),
      preferredDuringSchedulingIgnoredDuringExecution: ref('WeightedPodAffinityTerm'),
    },
  },
  WeightedPodAffinityTerm: { fields: { podAffinityTerm: ref('PodAffinityTerm') } },
  PodAffinityTerm: { fields: { labelSelector: ref('LabelSelector'), namespaceSelector: ref('LabelSelector') } },
  TopologySpreadConstraint: { fields: { labelSelector: ref('LabelSelector') } },
  Container: {
    fields: {
      env: byKey('name', 'EnvVar'),
      envFrom: {},
      ports: byKey('containerPort', undefined, ['containerPort', 'protocol']),
      resources: ref('ResourceRequirements'),
      restartPolicyRules: ref('ContainerRestartRule'),
      volumeDevices: byKey('devicePath'),
      volumeMounts: byKey('mountPath'),
    },
  },
  ContainerRestartRule: { fields: { exitCodes: ref('ContainerRestartRuleOnExitCodes') } },
  ContainerRestartRuleOnExitCodes: { fields: { values: { listType: 'set' } } },
  EnvVar: { fields: { valueFrom: ref('EnvVarSource') } },
  EnvVarSource: {
    fields: {
      configMapKeyRef: ref('ConfigMapKeySelector'),
      secretKeyRef: ref('SecretKeySelector'),
      fieldRef: ref('ObjectFieldSelector'),
      resourceFieldRef: ref('ResourceFieldSelector'),
      fileKeyRef: ref('FileKeySelector'),
    },
  },
  ResourceRequirements: { fields: { claims: { listType: 'map', listMapKeys: ['name'] } } },
  Volume: {
    fields: {
      cephfs: ref('SecretRefHolder'),
      cinder: ref('SecretRefHolder'),
      flexVolume: ref('SecretRefHolder'),
      iscsi: ref('SecretRefHolder'),
      rbd: ref('SecretRefHolder'),
      scaleIO: ref('SecretRefHolder'),
      storageos: ref('SecretRefHolder'),
      csi: { type: 'CSIVolumeSource' },
      downwardAPI: ref('DownwardAPIVolumeSource'),
      projected: ref('ProjectedVolumeSource'),
      ephemeral: ref('EphemeralVolumeSource'),
    },
  },
  /** The several volume sources whose only special field is `secretRef: LocalObjectReference`. */
  SecretRefHolder: { fields: { secretRef: ref('LocalObjectReference') } },
  CSIVolumeSource: { fields: { nodePublishSecretRef: ref('LocalObjectReference') } },
  DownwardAPIVolumeSource: { fields: { items: ref('DownwardAPIVolumeFile') } },
  DownwardAPIVolumeFile: { fields: { fieldRef: ref('ObjectFieldSelector'), resourceFieldRef: ref('ResourceFieldSelector') } },
  ProjectedVolumeSource: { fields: { sources: ref('VolumeProjection') } },
  VolumeProjection: {
    fields: {
      downwardAPI: ref('DownwardAPIVolumeSource'),
      clusterTrustBundle: { type: 'ClusterTrustBundleProjection' },
    },
  },
  ClusterTrustBundleProjection: { fields: { labelSelector: ref('LabelSelector') } },
  EphemeralVolumeSource: { fields: { volumeClaimTemplate: ref('PersistentVolumeClaimTemplate') } },
  PersistentVolumeClaimTemplate: { fields: { metadata: ref('ObjectMeta'), spec: ref('PersistentVolumeClaimSpec') } },
  PersistentVolumeClaimSpec: { fields: { dataSource: ref('TypedLocalObjectReference'), selector: ref('LabelSelector') } },

  Pod: { fields: { metadata: ref('ObjectMeta'), spec: ref('PodSpec'), status: ref('PodStatus') } },
  PodStatus: {
    fields: {
      conditions,
      containerStatuses: ref('ContainerStatus'),
      initContainerStatuses: ref('ContainerStatus'),
      ephemeralContainerStatuses: ref('ContainerStatus'),
      // hostIPs carries the SMP tags but no listType, so SSA treats it as atomic.
      hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip' },
      podIPs: byKey('ip'),
      resourceClaimStatuses: byKeyRetain('name'),
      resources: ref('ResourceRequirements'),
    },
  },
  ContainerStatus: {
    fields: {
      allocatedResourcesStatus: byKey('name', 'ResourceStatus'),
      resources: ref('ResourceRequirements'),
      volumeMounts: byKey('mountPath'),
    },
  },
  ResourceStatus: { fields: { resources: { listType: 'map', listMapKeys: ['resourceID'] } } },

  Service: { fields: { metadata: ref('ObjectMeta'), spec: ref('ServiceSpec'), status: ref('ServiceStatus') } },
  ServiceSpec: { fields: { ports: byKey('port', undefined, ['port', 'protocol']), selector: { atomic: true } } },
  ServiceStatus: { fields: { conditions } },
  Node: { fields: { metadata: ref('ObjectMeta'), spec: ref('NodeSpec'), status: ref('NodeStatus') } },
  NodeSpec: { fields: { podCIDRs: { patchStrategy: 'merge', listType: 'set' } } },
  NodeStatus: { fields: { addresses: byKey('type'), conditions } },
  Namespace: { fields: { metadata: ref('ObjectMeta'), status: ref('NamespaceStatus') } },
  NamespaceStatus: { fields: { conditions } },
  Endpoints: { fields: { metadata: ref('ObjectMeta'), subsets: ref('EndpointSubset') } },
  EndpointSubset: {
    fields: { addresses: ref('EndpointAddress'), notReadyAddresses: ref('EndpointAddress'), ports: ref('EndpointPort') },
  },
  EndpointAddress: { atomic: true, fields: { targetRef: ref('ObjectReference') } },
  EndpointPort: atomicType,
  ServiceAccount: {
    fields: {
      metadata: ref('ObjectMeta'),
      imagePullSecrets: ref('LocalObjectReference'),
      secrets: byKey('name', 'ObjectReference'),
    },
  },
  CoreEvent: { fields: { metadata: ref('ObjectMeta'), involvedObject: ref('ObjectReference'), related: ref('ObjectReference') } },
  MetaOnly: { fields: { metadata: ref('ObjectMeta') } },

  Deployment: { fields: { metadata: ref('ObjectMeta'), spec: ref('DeploymentSpec'), status: ref('DeploymentStatus') } },
  DeploymentSpec: {
    fields: { selector: ref('LabelSelector'), strategy: { patchStrategy: 'retainKeys' }, template: ref('PodTemplateSpec') },
  },
  DeploymentStatus: { fields: { conditions } },
  ReplicaSet: { fields: { metadata: ref('ObjectMeta'), spec: ref('ReplicaSetSpec'), status: ref('ReplicaSetStatus') } },
  ReplicaSetSpec: { fields: { selector: ref('LabelSelector'), template: ref('PodTemplateSpec') } },
  ReplicaSetStatus: { fields: { conditions } },
  EndpointSlice: { fields: { metadata: ref('ObjectMeta'), endpoints: ref('Endpoint'), ports: ref('EndpointPort') } },
  Endpoint: { fields: { addresses: { listType: 'set' }, targetRef: ref('ObjectReference') } },
  EventsEvent: { fields: { metadata: ref('ObjectMeta'), regarding: ref('ObjectReference'), related: ref('ObjectReference') } },

  // Kinds Skiff does not serve yet, described so that adding them is a registry row only.
  StatefulSet: { fields: { metadata: ref('ObjectMeta'), spec: ref('StatefulSetSpec'), status: ref('ConditionsStatus') } },
  StatefulSetSpec: {
    fields: { selector: ref('LabelSelector'), template: ref('PodTemplateSpec'), volumeClaimTemplates: ref('PersistentVolumeClaim') },
  },
  DaemonSet: { fields: { metadata: ref('ObjectMeta'), spec: ref('ReplicaSetSpec'), status: ref('ConditionsStatus') } },
  ReplicationController: {
    fields: { metadata: ref('ObjectMeta'), spec: ref('ReplicationControllerSpec'), status: ref('ConditionsStatus') },
  },
  ReplicationControllerSpec: { fields: { selector: { atomic: true }, template: ref('PodTemplateSpec') } },
  PodTemplate: { fields: { metadata: ref('ObjectMeta'), template: ref('PodTemplateSpec') } },
  PersistentVolumeClaim: { fields: { metadata: ref('ObjectMeta'), spec: ref('PersistentVolumeClaimSpec'), status: ref('ConditionsStatus') } },
  /** Any status whose only special field is `conditions` merged by type. */
  ConditionsStatus: { fields: { conditions } },
  Job: { fields: { metadata: ref('ObjectMeta'), spec: ref('JobSpec'), status: ref('JobStatus') } },
  JobSpec: {
    fields: { selector: ref('LabelSelector'), template: ref('PodTemplateSpec'), podFailurePolicy: ref('PodFailurePolicy') },
  },
  PodFailurePolicy: { fields: { rules: ref('PodFailurePolicyRule') } },
  PodFailurePolicyRule: { fields: { onExitCodes: ref('ContainerRestartRuleOnExitCodes') } },
  // Job conditions carry the SMP tags but are atomic for SSA.
  JobStatus: {
    fields: {
      conditions: { patchStrategy: 'merge', patchMergeKey: 'type' },
      uncountedTerminatedPods: ref('UncountedTerminatedPods'),
    },
  },
  UncountedTerminatedPods: { fields: { failed: { listType: 'set' }, succeeded: { listType: 'set' } } },
  CronJob: { fields: { metadata: ref('ObjectMeta'), spec: ref('CronJobSpec'), status: ref('CronJobStatus') } },
  CronJobSpec: { fields: { jobTemplate: ref('JobTemplateSpec') } },
  JobTemplateSpec: { fields: { metadata: ref('ObjectMeta'), spec: ref('JobSpec') } },
  CronJobStatus: { fields: { active: ref('ObjectReference') } },
  RoleBinding: { fields: { metadata: ref('ObjectMeta'), roleRef: ref('RoleRef'), subjects: ref('Subject') } },
  RoleRef: atomicType,
  Subject: atomicType,
  ClusterRole: { fields: { metadata: ref('ObjectMeta'), aggregationRule: ref('AggregationRule') } },
  AggregationRule: { fields: { clusterRoleSelectors: ref('LabelSelector') } },
};

/** The root type of each served kind. */
export const kindRoots: Record<KindKey, string> = {
  'v1/Pod': 'Pod',
  'v1/Service': 'Service',
  'v1/Node': 'Node',
  'v1/Namespace': 'Namespace',
  'v1/Endpoints': 'Endpoints',
  'v1/ConfigMap': 'MetaOnly',
  'v1/Secret': 'MetaOnly',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/Event': 'CoreEvent',
  'apps/v1/Deployment': 'Deployment',
  'apps/v1/ReplicaSet': 'ReplicaSet',
  'coordination.k8s.io/v1/Lease': 'MetaOnly',
  'discovery.k8s.io/v1/EndpointSlice': 'EndpointSlice',
  'events.k8s.io/v1/Event': 'EventsEvent',
  'autoscaling/v1/Scale': 'MetaOnly',
  'apps/v1/StatefulSet': 'StatefulSet',
  'apps/v1/DaemonSet': 'DaemonSet',
  'v1/ReplicationController': 'ReplicationController',
  'v1/PodTemplate': 'PodTemplate',
  'v1/PersistentVolumeClaim': 'PersistentVolumeClaim',
  'v1/LimitRange': 'MetaOnly',
  'batch/v1/Job': 'Job',
  'batch/v1/CronJob': 'CronJob',
  'rbac.authorization.k8s.io/v1/Role': 'MetaOnly',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'RoleBinding',
};

/** Root type name for a kind, or undefined for kinds without a schema (everything plain). */
export function rootType(kind: KindKey): string | undefined {
  return kindRoots[kind];
}

/** The schema of field `name` inside a value of type `typeName` (undefined when nothing special is known). */
export function fieldSchema(typeName: string | undefined, name: string): FieldSchema | undefined {
  if (typeName === undefined) return undefined;
  return types[typeName]?.fields[name];
}

/** True when a value of this type / field is owned and replaced as one unit by server-side apply. */
export function isAtomic(field: FieldSchema | undefined): boolean {
  if (!field) return false;
  if (field.atomic) return true;
  return field.type !== undefined && types[field.type]?.atomic === true;
}
