// apps/v1 printers: Deployment (NAME READY UP-TO-DATE AVAILABLE AGE | wide: CONTAINERS IMAGES SELECTOR) and
// ReplicaSet (NAME DESIRED CURRENT READY AGE | wide: CONTAINERS IMAGES SELECTOR), as upstream.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../object.ts';
import { ageColumn, col, containersDescription, imagesDescription, nameColumn, wide } from './columns.ts';
import { translateTimestampSince } from './duration.ts';
import { deploymentSelectorString, formatLabelSelector, layoutContainerCells, view } from './format.ts';
import type { RowPrinter } from './table.ts';

function age(obj: KubeObject, now: Date): string {
  return translateTimestampSince(obj.metadata?.creationTimestamp, now);
}

// spec.replicas is defaulted to 1 before anything is stored; the fallback covers undefaulted input.
const replicasOf = (r: number | undefined): number => r ?? 1;

export const deploymentPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn(),
    wide('Containers', 'string', containersDescription),
    wide('Images', 'string', imagesDescription),
    wide('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
  ],
  cells: (obj, now) => {
    const d = view<Deployment>(obj);
    const [names, images] = layoutContainerCells(d.spec?.template?.spec?.containers);
    return [
      obj.metadata?.name ?? '',
      `${d.status?.readyReplicas ?? 0}/${replicasOf(d.spec?.replicas)}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      age(obj, now),
      names,
      images,
      deploymentSelectorString(d.spec?.selector),
    ];
  },
};

export const replicaSetPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Current', 'integer', 'Replicas is the most recently oberved number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    ageColumn(),
    wide('Containers', 'string', containersDescription),
    wide('Images', 'string', imagesDescription),
    wide('Selector', 'string', 'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'),
  ],
  cells: (obj, now) => {
    const rs = view<ReplicaSet>(obj);
    const [names, images] = layoutContainerCells(rs.spec?.template?.spec?.containers);
    return [
      obj.metadata?.name ?? '',
      replicasOf(rs.spec?.replicas),
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      age(obj, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};
