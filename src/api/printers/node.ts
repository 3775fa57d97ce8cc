// `kubectl get nodes`: NAME STATUS ROLES AGE VERSION | wide: INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION
// CONTAINER-RUNTIME. STATUS is Ready/NotReady/Unknown from the Ready condition, plus ",SchedulingDisabled"
// for a cordoned node; ROLES come from node-role.kubernetes.io/<role> and kubernetes.io/role labels.
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../object.ts';
import { ageColumn, col, nameColumn, wide } from './columns.ts';
import { translateTimestampSince } from './duration.ts';
import { view } from './format.ts';
import type { RowPrinter } from './table.ts';

const addressesDescription =
  'List of addresses reachable to the node. Queried from cloud provider, if available. More info: ' +
  'https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the ' +
  'merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead ' +
  'use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses ' +
  "can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";

const columns = [
  nameColumn(),
  col('Status', 'string', 'The status of the node'),
  col('Roles', 'string', 'The roles of the node'),
  ageColumn(),
  col('Version', 'string', 'Kubelet Version reported by the node.'),
  wide('Internal-IP', 'string', addressesDescription),
  wide('External-IP', 'string', addressesDescription),
  wide('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
  wide('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
  wide('Container-Runtime', 'string',
    'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
];

const roleLabelPrefix = 'node-role.kubernetes.io/';
const legacyRoleLabel = 'kubernetes.io/role';

/** Sorted, de-duplicated roles from the node's labels. */
export function nodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith(roleLabelPrefix)) {
      const role = k.slice(roleLabelPrefix.length);
      if (role) roles.add(role);
    } else if (k === legacyRoleLabel && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

export function nodeStatus(node: Node): string {
  // Later duplicates of a condition type win, as upstream's map.
  let readyCond: NodeCondition | undefined;
  for (const c of node.status?.conditions ?? []) if (c.type === 'Ready') readyCond = c;
  const status: string[] = [];
  if (readyCond) status.push(readyCond.status === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

function address(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

function nodeCells(obj: KubeObject, now: Date): unknown[] {
  const node = view<Node>(obj);
  const info = node.status?.nodeInfo;
  const roles = nodeRoles(node.metadata?.labels).join(',');
  return [
    node.metadata?.name ?? '',
    nodeStatus(node),
    roles || '<none>',
    translateTimestampSince(node.metadata?.creationTimestamp, now),
    info?.kubeletVersion ?? '',
    address(node, 'InternalIP'),
    address(node, 'ExternalIP'),
    info?.osImage || '<unknown>',
    info?.kernelVersion || '<unknown>',
    info?.containerRuntimeVersion || '<unknown>',
  ];
}

export const nodePrinter: RowPrinter = { columns, cells: nodeCells };
