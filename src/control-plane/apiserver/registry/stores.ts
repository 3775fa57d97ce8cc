// Builds one GenericStore per stored resource from the registry table, with the hooks its definition asks for
// (namespace lifecycle for namespaced kinds, a named allocator), and resolves a request's resource to its store
// (a create-only kind such as Binding resolves to the resource it acts on).
import { definitions } from '../../../api/resources.ts';
import type { AllocatorName } from '../../../api/resources/define.ts';
import type { Store } from '../../../store/interface.ts';
import { GenericStore } from './generic-store.ts';
import { namespaceChecker } from './namespace-lifecycle.ts';
import { ServiceAllocator } from './service-allocator.ts';
import type { Allocator } from './types.ts';

export interface StoreOptions {
  serviceCidr?: string;
  nodePortRange?: { min: number; max: number };
}

export class ResourceStores {
  private readonly stores = new Map<string, GenericStore>();

  constructor(store: Store, opts: StoreOptions = {}) {
    const namespaces = namespaceChecker(store);
    const allocators: Record<AllocatorName, Allocator> = {
      serviceIPsAndPorts: new ServiceAllocator(store, {
        serviceCidr: opts.serviceCidr ?? '10.43.0.0/16',
        nodePortRange: opts.nodePortRange ?? { min: 30000, max: 32767 },
      }),
    };
    for (const def of definitions) {
      if (def.actsOn) continue;
      const { group, version, resource, namespaced } = def.info;
      const allocator = def.allocator ? allocators[def.allocator] : undefined;
      this.stores.set(`${group}/${version}/${resource}`, new GenericStore(def, store, namespaced ? namespaces : undefined, allocator));
    }
  }

  /** The store serving a URL's resource; for a kind that acts on another resource, that resource's store. */
  storeFor(group: string, version: string, resource: string): GenericStore | undefined {
    const direct = this.stores.get(`${group}/${version}/${resource}`);
    if (direct) return direct;
    const def = definitions.find((d) => d.actsOn && d.info.group === group && d.info.version === version && d.info.resource === resource);
    return def?.actsOn ? this.stores.get(`${group}/${version}/${def.actsOn.resource}`) : undefined;
  }

  all(): IterableIterator<GenericStore> {
    return this.stores.values();
  }
}
