// Simulated nodes (kwok-style) for tests and scale work: see nodes.ts for the behaviour, objects.ts for what is written.
export { type SimNodes, type SimNodesOptions, nodesRef, podsRef, startSimNodes } from './nodes.ts';
export { simNodesCommand, simNodesHelp, parseTaint } from './command.ts';
export { buildNode, buildLease, defaultCapacity, nodeLeaseNamespace, runningStatus, simAnnotation, simLabel, type SimNodeSpec } from './objects.ts';
