// Printers for ReplicationController (NAME DESIRED CURRENT READY AGE | wide: CONTAINERS IMAGES SELECTOR),
// DaemonSet (NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE | wide: CONTAINERS IMAGES SELECTOR)
// and ControllerRevision (NAME CONTROLLER REVISION AGE), as upstream's printers.
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../object.ts';
import { ageColumn, col, containersDescription, imagesDescription, nameColumn, wide } from './columns.ts';
import { translateTimestampSince } from './duration.ts';
import { formatLabelSelector, formatLabels, layoutContainerCells, view } from './format.ts';
import type { RowPrinter } from './table.ts';

const age = (obj: KubeObject, now: Date): string => translateTimestampSince(obj.metadata?.creationTimestamp, now);

export const replicationControllerPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller'),
    col('Ready', 'integer', 'The number of ready replicas for this replication controller.'),
    ageColumn(),
    wide('Containers', 'string', containersDescription),
    wide('Images', 'string', imagesDescription),
    wide('Selector', 'string', 'Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'),
  ],
  cells: (obj, now) => {
    const rc = view<ReplicationController>(obj);
    const [names, images] = layoutContainerCells(rc.spec?.template?.spec?.containers);
    return [
      obj.metadata?.name ?? '', rc.spec?.replicas ?? 1, rc.status?.replicas ?? 0, rc.status?.readyReplicas ?? 0, age(obj, now),
      names, images, formatLabels(rc.spec?.selector),
    ];
  },
};

export const daemonSetPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
    col('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node\'s labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/'),
    ageColumn(),
    wide('Containers', 'string', containersDescription),
    wide('Images', 'string', imagesDescription),
    wide('Selector', 'string', 'A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template\'s labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'),
  ],
  cells: (obj, now) => {
    const ds = view<DaemonSet>(obj);
    const st = ds.status;
    const [names, images] = layoutContainerCells(ds.spec?.template?.spec?.containers);
    return [
      obj.metadata?.name ?? '', st?.desiredNumberScheduled ?? 0, st?.currentNumberScheduled ?? 0, st?.numberReady ?? 0,
      st?.updatedNumberScheduled ?? 0, st?.numberAvailable ?? 0, formatLabels(ds.spec?.template?.spec?.nodeSelector), age(obj, now),
      names, images, formatLabelSelector(ds.spec?.selector),
    ];
  },
};

/** "daemonset.apps/name": the controller's GroupKind lower-cased, as upstream's formatResourceName. */
function controllerName(cr: ControllerRevision): string {
  const ref = cr.metadata?.ownerReferences?.find((r) => r.controller);
  if (!ref) return '<none>';
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

export const controllerRevisionPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn(),
  ],
  cells: (obj, now) => {
    const cr = view<ControllerRevision>(obj);
    return [obj.metadata?.name ?? '', controllerName(cr), cr.revision ?? 0, age(obj, now)];
  },
};
