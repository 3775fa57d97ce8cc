// The default profile: upstream's filter order (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity,
// NodePorts, NodeResourcesFit, PodTopologySpread, InterPodAffinity) and score weights (TaintToleration 3,
// NodeAffinity 2, PodTopologySpread 2, InterPodAffinity 2, NodeResourcesFit 1, NodeResourcesBalancedAllocation 1).
import type { Profile } from '../algorithm.ts';
import { nodeName, nodePorts, nodeUnschedulable } from './node-basics.ts';
import { nodeAffinityFilter, nodeAffinityScore } from './node-affinity.ts';
import { nodeResourcesBalancedAllocation, nodeResourcesFit, nodeResourcesLeastAllocated } from './node-resources.ts';
import { podTopologySpreadFilter, podTopologySpreadScore } from './pod-topology-spread.ts';
import { interPodAffinityFilter, interPodAffinityScore } from './inter-pod-affinity.ts';
import { taintTolerationFilter, taintTolerationScore } from './taint-toleration.ts';

export function defaultProfile(percentageOfNodesToScore = 0): Profile {
  return {
    filters: [nodeUnschedulable, nodeName, taintTolerationFilter, nodeAffinityFilter, nodePorts, nodeResourcesFit, podTopologySpreadFilter, interPodAffinityFilter],
    scores: [taintTolerationScore, nodeAffinityScore, podTopologySpreadScore, interPodAffinityScore, nodeResourcesLeastAllocated, nodeResourcesBalancedAllocation],
    percentageOfNodesToScore,
  };
}
