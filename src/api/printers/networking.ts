// Lease (coordination.k8s.io/v1: NAME HOLDER AGE) and EndpointSlice (discovery.k8s.io/v1: NAME ADDRESSTYPE
// PORTS ENDPOINTS AGE), as upstream prints them.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../object.ts';
import { ageColumn, col, nameColumn } from './columns.ts';
import { translateTimestampSince } from './duration.ts';
import { listWithMore, view } from './format.ts';
import type { RowPrinter } from './table.ts';

function age(obj: KubeObject, now: Date): string {
  return translateTimestampSince(obj.metadata?.creationTimestamp, now);
}

export const leasePrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'),
    ageColumn(),
  ],
  cells: (obj, now) => [obj.metadata?.name ?? '', view<Lease>(obj).spec?.holderIdentity ?? '', age(obj, now)],
};

const maxListed = 3;

/** Port numbers (or names, or "*" for all ports), three at most. */
export function formatSlicePorts(slice: EndpointSlice): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const p of slice.ports ?? []) {
    if (list.length < maxListed) {
      list.push(p.port !== undefined && p.port !== null ? String(p.port) : p.name ?? '*');
    } else if (list.length === maxListed) {
      more = true;
    }
    count++;
  }
  return listWithMore(list, more, count, maxListed);
}

/** Endpoint addresses, three at most. */
export function formatSliceEndpoints(slice: EndpointSlice): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ep of slice.endpoints ?? []) {
    for (const a of ep.addresses ?? []) {
      if (list.length < maxListed) list.push(a);
      else if (list.length === maxListed) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, maxListed);
}

export const endpointSlicePrinter: RowPrinter = {
  columns: [
    nameColumn(),
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.'),
    ageColumn(),
  ],
  cells: (obj, now) => {
    const s = view<EndpointSlice>(obj);
    return [obj.metadata?.name ?? '', s.addressType ?? '', formatSlicePorts(s), formatSliceEndpoints(s), age(obj, now)];
  },
};
