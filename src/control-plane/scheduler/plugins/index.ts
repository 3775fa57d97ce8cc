// The default profile: upstream's filter order (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity,
// NodePorts, NodeResourcesFit, VolumeBinding, PodTopologySpread, InterPodAffinity) and score weights (TaintToleration 3,
// NodeAffinity 2, PodTopologySpread 2, InterPodAffinity 2, NodeResourcesFit 1, NodeResourcesBalancedAllocation 1).
import type { Profile } from '../algorithm.ts';
import { nodeName, nodePorts, nodeUnschedulable } from './node-basics.ts';
import { nodeAffinityFilter, nodeAffinityScore } from './node-affinity.ts';
import { nodeResourcesBalancedAllocation, nodeResourcesFit, nodeResourcesLeastAllocated } from './node-resources.ts';
import { podTopologySpreadFilter, podTopologySpreadScore } from './pod-topology-spread.ts';
import { interPodAffinityFilter, interPodAffinityScore } from './inter-pod-affinity.ts';
import { taintTolerationFilter, taintTolerationScore } from './taint-toleration.ts';
import { type VolumeLister, volumeBindingFilter } from './volume-binding.ts';

/** volumes: the claim/volume caches VolumeBinding reads (without them the plugin is left out). */
export function defaultProfile(percentageOfNodesToScore = 0, volumes?: VolumeLister): Profile {
  return {
    filters: [
      nodeUnschedulable, nodeName, taintTolerationFilter, nodeAffinityFilter, nodePorts, nodeResourcesFit,
      ...(volumes ? [volumeBindingFilter(volumes)] : []), podTopologySpreadFilter, interPodAffinityFilter,
    ],
    scores: [taintTolerationScore, nodeAffinityScore, podTopologySpreadScore, interPodAffinityScore, nodeResourcesLeastAllocated, nodeResourcesBalancedAllocation],
    percentageOfNodesToScore,
  };
}
