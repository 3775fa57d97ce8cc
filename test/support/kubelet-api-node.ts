// The one-node cluster harness of kubelet-connect.test.ts, under the names it had before the two node harnesses were
// folded into kubelet-node.ts (the one harness; new tests import from there).
export { nodeRunnable as kubeletRunnable, startKubeletNode, type KubeletCluster as KubeletNode } from './kubelet-node.ts';
