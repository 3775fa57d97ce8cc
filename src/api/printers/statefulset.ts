// apps/v1 StatefulSet (NAME READY AGE | wide: CONTAINERS IMAGES) and ControllerRevision (NAME CONTROLLER
// REVISION AGE) printers, as upstream 1.32.
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
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
function controllerOf(obj: KubeObject): string {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller);
  if (!ref) return '<none>';
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  const kind = ref.kind.toLowerCase();
  return group ? `${kind}.${group}/${ref.name}` : `${kind}/${ref.name}`;
}

export const controllerRevisionPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn(),
  ],
  cells: (obj, now) => [obj.metadata?.name ?? '', controllerOf(obj), view<ControllerRevision>(obj).revision ?? 0, age(obj, now)],
};
