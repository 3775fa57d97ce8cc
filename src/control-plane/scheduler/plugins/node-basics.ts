// NodeUnschedulable, NodeName and NodePorts: the three filters that look at one field each.
import { type FilterPlugin, type Status, unresolvable, unschedulable } from '../framework.ts';
import { tolerates } from './taint-toleration.ts';

const unschedulableStatus = unresolvable('node(s) were unschedulable');
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** Cordoned nodes (spec.unschedulable) take only pods tolerating node.kubernetes.io/unschedulable:NoSchedule. */
export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  prepare(pod) {
    const tolerated = pod.tolerations.some((t) => tolerates(t, unschedulableTaint));
    if (tolerated) return null;
    return (node) => (node.unschedulable ? unschedulableStatus : null);
  },
};

const nodeNameStatus = unresolvable("node(s) didn't match the requested node name");

export const nodeName: FilterPlugin = {
  name: 'NodeName',
  prepare(pod) {
    const want = pod.pod.spec?.nodeName;
    if (!want) return null;
    return (node) => (node.name === want ? null : nodeNameStatus);
  },
};

const portsStatus: Status = unschedulable("node(s) didn't have free ports for the requested pod ports");

/** A host port conflicts when protocol and port match and either side binds all addresses or both bind the same IP. */
export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  prepare(pod) {
    if (!pod.hostPorts.length) return null;
    return (node) => {
      for (const hp of pod.hostPorts) {
        const ips = node.usedPorts.get(`${hp.protocol}/${hp.port}`);
        if (!ips) continue;
        if (hp.ip === '0.0.0.0' || ips.includes('0.0.0.0') || ips.includes(hp.ip)) return portsStatus;
      }
      return null;
    };
  },
};
