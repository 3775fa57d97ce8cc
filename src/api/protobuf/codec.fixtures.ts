// Objects in canonical JSON form (no zero values in non-pointer fields) for the round-trip tests: decoding
// their encoding must give them back exactly.
import type { KubeObject } from '../object.ts';

const meta = (name: string, namespace = 'default') => ({
  name, namespace, uid: '6c1d5d9e-1b8a-4f0e-9d55-0d1c6f4b1a11', resourceVersion: '42', generation: 3,
  creationTimestamp: '2024-01-02T03:04:05Z', labels: { app: name }, annotations: { note: 'x' },
  ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true, blockOwnerDeletion: true }],
  finalizers: ['example.com/f'],
  managedFields: [{
    manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1', time: '2024-01-02T03:04:05Z',
    fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
  }],
});

export const podSpec = {
  volumes: [
    { name: 'host', hostPath: { path: '/var/log', type: '' } },
    { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    { name: 'empty', emptyDir: {} },
    { name: 'sec', secret: { secretName: 's', items: [{ key: 'k', path: 'p', mode: 0o400 }], defaultMode: 420, optional: false } },
    { name: 'cm', configMap: { name: 'c', defaultMode: 0o644 } },
    { name: 'pvc', persistentVolumeClaim: { claimName: 'data', readOnly: true } },
    { name: 'nfs', nfs: { server: '10.0.0.1', path: '/export' } },
    { name: 'dapi', downwardAPI: { items: [{ path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } }] } },
    {
      name: 'proj', projected: {
        defaultMode: 420, sources: [
          { serviceAccountToken: { audience: 'api', expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          { secret: { name: 'x', optional: true } },
        ],
      },
    },
    { name: 'csi', csi: { driver: 'd.example', readOnly: true, volumeAttributes: { a: 'b' } } },
    {
      name: 'eph', ephemeral: {
        volumeClaimTemplate: {
          metadata: { labels: { a: 'b' } },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' },
        },
      },
    },
    { name: 'img', image: { reference: 'busybox', pullPolicy: 'IfNotPresent' } },
  ],
  initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'], restartPolicy: 'Always' }],
  containers: [{
    name: 'app', image: 'nginx:1.25', command: ['nginx'], args: ['-g', 'daemon off;'], workingDir: '/srv',
    ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { containerPort: 53, hostPort: 5353, protocol: 'UDP', hostIP: '0.0.0.0' }],
    envFrom: [{ prefix: 'CM_', configMapRef: { name: 'c', optional: true } }, { secretRef: { name: 's' } }],
    env: [
      { name: 'A', value: '1' },
      { name: 'EMPTY' },
      { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'K', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: false } } },
      { name: 'C', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } },
    ],
    resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } },
    resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }],
    volumeMounts: [{ name: 'host', mountPath: '/host', readOnly: true, mountPropagation: 'HostToContainer' }, { name: 'scratch', mountPath: '/tmp', subPath: 'x' }],
    volumeDevices: [{ name: 'blk', devicePath: '/dev/xvda' }],
    livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP', httpHeaders: [{ name: 'X', value: 'y' }] }, initialDelaySeconds: 5, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 2, terminationGracePeriodSeconds: 0 },
    startupProbe: { exec: { command: ['cat', '/ready'] }, failureThreshold: 30 },
    lifecycle: { preStop: { sleep: { seconds: 5 } }, postStart: { exec: { command: ['true'] } } },
    terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent',
    securityContext: {
      capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, privileged: false, runAsUser: 0, runAsGroup: 1000,
      runAsNonRoot: false, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
      seccompProfile: { type: 'RuntimeDefault' }, seLinuxOptions: { level: 's0:c1' },
    },
    stdin: true, tty: true,
  }],
  ephemeralContainers: [{ name: 'debug', image: 'busybox', targetContainerName: 'app', stdin: true }],
  restartPolicy: 'Always', terminationGracePeriodSeconds: 30, activeDeadlineSeconds: 600, dnsPolicy: 'ClusterFirst',
  nodeSelector: { 'kubernetes.io/os': 'linux' }, serviceAccountName: 'default', serviceAccount: 'default',
  automountServiceAccountToken: false, nodeName: 'node-1', hostNetwork: true, shareProcessNamespace: false,
  securityContext: { runAsUser: 1000, fsGroup: 2000, supplementalGroups: [1, 2, 3], sysctls: [{ name: 'net.core.somaxconn', value: '1024' }], fsGroupChangePolicy: 'OnRootMismatch' },
  imagePullSecrets: [{ name: 'regcred' }], hostname: 'h', subdomain: 'sub',
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }], matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n2'] }] }] },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
    },
    podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname', namespaces: ['other'] }] },
    podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, topologyKey: 'zone', matchLabelKeys: ['pod-template-hash'] } }] },
  },
  schedulerName: 'default-scheduler',
  tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { operator: 'Exists' }],
  hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local'] }],
  priorityClassName: 'system-node-critical', priority: 0,
  dnsConfig: { nameservers: ['1.1.1.1'], searches: ['svc.cluster.local'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] },
  readinessGates: [{ conditionType: 'example.com/ready' }], runtimeClassName: 'runc', enableServiceLinks: true,
  preemptionPolicy: 'PreemptLowerPriority', overhead: { cpu: '10m' },
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, minDomains: 2, nodeAffinityPolicy: 'Honor' }],
  os: { name: 'linux' }, hostUsers: true, schedulingGates: [{ name: 'gate' }],
};

const podList: Record<string, unknown> = {
    apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '99', continue: 'abc', remainingItemCount: 0 },
    items: [{ metadata: { name: 'a' }, spec: { containers: [{ name: 'c', image: 'i' }] }, status: {} }, { metadata: { name: 'b' }, spec: {}, status: { phase: 'Pending' } }],
  };

export const objects: KubeObject[] = [
  {
    apiVersion: 'v1', kind: 'Pod', metadata: meta('web'), spec: podSpec,
    status: {
      phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-02T03:04:06Z' }],
      hostIP: '10.0.0.2', hostIPs: [{ ip: '10.0.0.2' }], podIP: '10.42.0.5', podIPs: [{ ip: '10.42.0.5' }],
      startTime: '2024-01-02T03:04:05Z', qosClass: 'Burstable',
      containerStatuses: [{
        name: 'app', ready: true, restartCount: 2, image: 'nginx:1.25', imageID: 'sha256:abc', containerID: 'containerd://x', started: true,
        state: { running: { startedAt: '2024-01-02T03:04:07Z' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2024-01-02T03:00:00Z', finishedAt: '2024-01-02T03:01:00Z', containerID: 'containerd://y' } },
      }, { name: 'side', started: false, state: { waiting: { reason: 'ContainerCreating' } } }],
    },
  },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cm'), immutable: false, data: { a: 'b', empty: '' }, binaryData: { bin: Buffer.from([0, 255, 1]).toString('base64') } },
  { apiVersion: 'v1', kind: 'Secret', metadata: meta('s'), type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from('cert').toString('base64'), 'tls.key': '' }, stringData: { x: 'y' } },
  {
    apiVersion: 'v1', kind: 'Service', metadata: meta('svc'),
    spec: {
      ports: [{ name: 'http', protocol: 'TCP', appProtocol: 'http', port: 80, targetPort: 'http', nodePort: 30080 }, { port: 53, protocol: 'UDP', targetPort: 5353 }],
      selector: { app: 'web' }, clusterIP: '10.43.0.10', clusterIPs: ['10.43.0.10'], type: 'LoadBalancer', externalIPs: ['1.2.3.4'],
      sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } }, externalTrafficPolicy: 'Local',
      healthCheckNodePort: 31000, ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', allocateLoadBalancerNodePorts: true, internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: { ingress: [{ ip: '5.6.7.8', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP' }] }] }, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-02T03:04:05Z', reason: 'R', message: 'm', observedGeneration: 1 }] },
  },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('sa'), secrets: [{ name: 'tok' }], imagePullSecrets: [{ name: 'reg' }], automountServiceAccountToken: false },
  {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
    spec: { podCIDR: '10.42.1.0/24', podCIDRs: ['10.42.1.0/24'], unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: '2024-01-02T03:04:05Z' }] },
    status: {
      capacity: { cpu: '2', memory: '4026532Ki', pods: '110' }, allocatable: { cpu: '2', memory: '3924132Ki', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-01-02T03:04:05Z', lastTransitionTime: '2024-01-02T03:00:00Z', reason: 'KubeletReady', message: 'ok' }],
      addresses: [{ type: 'InternalIP', address: '10.0.0.2' }, { type: 'Hostname', address: 'node-1' }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: { machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: '6.1', osImage: 'Debian', containerRuntimeVersion: 'containerd://1.6.20', kubeletVersion: 'v1.32.0', kubeProxyVersion: 'v1.32.0', operatingSystem: 'linux', architecture: 'amd64' },
      images: [{ names: ['busybox:latest'], sizeBytes: 1_900_000 }],
    },
  },
  {
    apiVersion: 'v1', kind: 'Endpoints', metadata: meta('svc'),
    subsets: [{ addresses: [{ ip: '10.42.0.5', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'u' } }], notReadyAddresses: [{ ip: '10.42.0.6' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }],
  },
  {
    apiVersion: 'v1', kind: 'Event', metadata: meta('web.17a'), involvedObject: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'u', apiVersion: 'v1', fieldPath: 'spec.containers{app}' },
    reason: 'Pulled', message: 'pulled', source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: '2024-01-02T03:04:05Z', lastTimestamp: '2024-01-02T03:04:09Z',
    count: 3, type: 'Normal', eventTime: '2024-01-02T03:04:05.123456Z', series: { count: 2, lastObservedTime: '2024-01-02T03:04:09.000001Z' }, reportingComponent: 'kubelet', reportingInstance: 'node-1',
  },
  { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web', namespace: 'default' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web'),
    spec: {
      replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } }, minReadySeconds: 5, revisionHistoryLimit: 10, paused: true, progressDeadlineSeconds: 600,
    },
    status: { observedGeneration: 3, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 1, conditions: [{ type: 'Available', status: 'False', lastUpdateTime: '2024-01-02T03:04:05Z', lastTransitionTime: '2024-01-02T03:04:05Z', reason: 'MinimumReplicasUnavailable', message: 'm' }], collisionCount: 0 },
  },
  {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('web-5d4f'),
    spec: { replicas: 3, minReadySeconds: 1, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d4f' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    status: { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' }] },
  },
  {
    apiVersion: 'batch/v1', kind: 'Job', metadata: meta('pi'),
    spec: {
      parallelism: 2, completions: 0, activeDeadlineSeconds: 60, backoffLimit: 6, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } },
      manualSelector: false, template: { metadata: { labels: { app: 'pi' } }, spec: { containers: [{ name: 'c', image: 'perl' }], restartPolicy: 'Never' } },
      ttlSecondsAfterFinished: 0, completionMode: 'Indexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed',
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [1, 42] } }, { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
      successPolicy: { rules: [{ succeededIndexes: '0-2', succeededCount: 1 }] },
    },
    status: {
      conditions: [{ type: 'Complete', status: 'True', lastProbeTime: '2024-01-02T03:04:05Z', lastTransitionTime: '2024-01-02T03:04:05Z', reason: 'CompletionsReached', message: 'm' }],
      startTime: '2024-01-02T03:04:00Z', completionTime: '2024-01-02T03:04:05Z', active: 1, succeeded: 2, failed: 3, terminating: 0, ready: 0,
      completedIndexes: '0,1', uncountedTerminatedPods: { succeeded: ['a'], failed: ['b'] },
    },
  },
  {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('tick'),
    spec: {
      schedule: '*/5 * * * *', timeZone: 'Etc/UTC', startingDeadlineSeconds: 0, concurrencyPolicy: 'Forbid', suspend: true, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 0,
      jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'OnFailure' } } } },
    },
    status: { active: [{ kind: 'Job', namespace: 'default', name: 'tick-1', uid: 'u', apiVersion: 'batch/v1', resourceVersion: '7' }], lastScheduleTime: '2024-01-02T03:00:00Z', lastSuccessfulTime: '2024-01-02T03:01:00Z' },
  },
  { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: meta('web'), spec: { replicas: 4 }, status: { replicas: 2, selector: 'app=web' } },
  {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-1', namespace: 'kube-node-lease' },
    spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, acquireTime: '2024-01-02T03:04:05.000000Z', renewTime: '2024-01-02T03:04:45.654321Z', leaseTransitions: 0 },
  },
  {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('svc-abc'), addressType: 'IPv4',
    endpoints: [{ addresses: ['10.42.0.5'], conditions: { ready: false, serving: true, terminating: false }, nodeName: 'node-1', zone: 'a', targetRef: { kind: 'Pod', name: 'web', namespace: 'default' }, hints: { forZones: [{ name: 'a' }] } }],
    ports: [{ name: '', protocol: 'TCP', port: 80 }],
  },
  {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: meta('e'), eventTime: '2024-01-02T03:04:05.000100Z', series: { count: 2, lastObservedTime: '2024-01-02T03:04:06.000000Z' },
    reportingController: 'skiff/scheduler', reportingInstance: 'i', action: 'Binding', reason: 'Scheduled', regarding: { kind: 'Pod', name: 'web' }, note: 'assigned', type: 'Normal',
    deprecatedSource: { component: 'c' }, deprecatedFirstTimestamp: '2024-01-02T03:04:05Z', deprecatedCount: 1,
  },
  { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u', resourceVersion: '7' }, dryRun: ['All'] } },
  { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', propagationPolicy: 'Background', orphanDependents: false },
  {
    apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: 'pods "x" not found', reason: 'NotFound', code: 404,
    details: { name: 'x', kind: 'pods', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }], retryAfterSeconds: 1 },
  },
  // A List's metadata is ListMeta, which KubeObject's ObjectMeta typing does not describe.
  podList as KubeObject,
];
