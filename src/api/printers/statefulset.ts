// apps/v1 StatefulSet printer (NAME READY AGE | wide: CONTAINERS IMAGES), as upstream 1.32; ControllerRevision
// has its own (printers/workloads.ts).
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../object.ts';
import { ageColumn, col, containersDescription, imagesDescription, nameColumn, wide } from './columns.ts';
import { translateTimestampSince } from './duration.ts';
import { layoutContainerCells, view } from './format.ts';
import type { RowPrinter } from './table.ts';

const age = (obj: KubeObject, now: Date): string => translateTimestampSince(obj.metadata?.creationTimestamp, now);

export const statefulSetPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    ageColumn(),
    wide('Containers', 'string', containersDescription),
    wide('Images', 'string', imagesDescription),
  ],
  cells: (obj, now) => {
    const sts = view<StatefulSet>(obj);
    const [names, images] = layoutContainerCells(sts.spec?.template?.spec?.containers);
    return [obj.metadata?.name ?? '', `${sts.status?.readyReplicas ?? 0}/${sts.spec?.replicas ?? 1}`, age(obj, now), names, images];
  },
};

/** "<resource>.<group>/<name>" of the controller, as upstream; "<none>" without one. */
