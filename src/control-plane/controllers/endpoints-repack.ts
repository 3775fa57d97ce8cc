// The canonical order of Endpoints subsets (upstream's RepackSubsets sorts ports, addresses and subsets), used both
// to build the subsets the controller wants and to compare them with what is stored: an Endpoints object whose
// subsets differ only in key order, list order or a targetRef's resourceVersion is up to date and is not rewritten
// (upstream compares with EndpointSubsetsEqualIgnoreResourceVersion after repacking).
import type { EndpointAddress, EndpointPort, EndpointSubset } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../api/equality.ts';
import { canonicalJson } from './canonical-json.ts';

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Ports by name, then number, then protocol. */
export const byPort = (a: EndpointPort, b: EndpointPort): number =>
  cmp(a.name ?? '', b.name ?? '') || a.port - b.port || cmp(a.protocol ?? '', b.protocol ?? '');

/** Upstream LessEndpointAddress: the IPs compared as strings, then the target's uid. */
export const byIp = (a: EndpointAddress, b: EndpointAddress): number =>
  cmp(a.ip, b.ip) || cmp(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');

/** The key subsets are ordered by: their (sorted) port set, independent of key order. */
export const portSetKey = (ports: EndpointPort[] | undefined): string => canonicalJson([...(ports ?? [])].sort(byPort));

function withoutResourceVersion(a: EndpointAddress): EndpointAddress {
  if (!a.targetRef?.resourceVersion) return a;
  const { resourceVersion: _rv, ...targetRef } = a.targetRef;
  return { ...a, targetRef };
}

/** The subsets in canonical order, targetRefs without resourceVersion. */
export function repackSubsets(subsets: EndpointSubset[] | undefined): EndpointSubset[] {
  const sortAddrs = (l: EndpointAddress[] | undefined) => (l?.length ? l.map(withoutResourceVersion).sort(byIp) : undefined);
  return (subsets ?? [])
    .map((s) => ({ ...s, addresses: sortAddrs(s.addresses), notReadyAddresses: sortAddrs(s.notReadyAddresses), ports: s.ports?.length ? [...s.ports].sort(byPort) : undefined }))
    .sort((a, b) => cmp(portSetKey(a.ports), portSetKey(b.ports)));
}

/** Whether the stored subsets already are the wanted ones (which desiredSubsets builds in canonical order). */
export function subsetsUpToDate(stored: EndpointSubset[] | undefined, wanted: EndpointSubset[]): boolean {
  return semanticEqual(repackSubsets(stored), wanted);
}
