// One served resource, defined once: its ResourceInfo (discovery, routing, OpenAPI), its strategy, its table
// printer, its selectable fields and its subresources, each with a strategy of its own. defineResource fills
// upstream's usual choices (status kept by the main endpoint, a status endpoint that writes status only), so
// a kind's file states only what differs. The table of all of them is src/api/resources.ts.
import type { KubeObject } from '../object.ts';
import type { ResourceInfo } from '../resource-info.ts';
import type {
  ConnectSubresource, FieldValue, ResourceStrategy, ScaleSubresourceStrategy, SubresourceStrategy, UpdateSubresource, Validator,
  BindSubresource, EvictSubresource, TokenSubresource,
} from '../strategy.ts';
import { defaultPrinter } from '../printers/default.ts';
import type { RowPrinter } from '../printers/table.ts';
import { semanticEqual } from '../equality.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/objectmeta.ts';
import { nameIsDNSSubdomain } from '../validation/names.ts';

export interface Subresources {
  status?: UpdateSubresource;
  finalize?: UpdateSubresource;
  scale?: ScaleSubresourceStrategy;
  binding?: BindSubresource;
  eviction?: EvictSubresource;
  token?: TokenSubresource;
  log?: ConnectSubresource;
  exec?: ConnectSubresource;
  attach?: ConnectSubresource;
  portforward?: ConnectSubresource;
}

/** Server-side allocations a resource's storage performs (upstream wraps the generic store for these). */
export type AllocatorName = 'serviceIPsAndPorts';

export interface ResourceDefinition {
  info: ResourceInfo;
  strategy: ResourceStrategy;
  printer: RowPrinter;
  /** Selectable fields beyond metadata.name/metadata.namespace. */
  fieldSelectors: Record<string, FieldValue>;
  subresources: Subresources;
  allocator?: AllocatorName;
  /** For a create-only kind sent to another resource's subresource (Binding -> pods/binding). */
  actsOn?: { resource: string; subresource: keyof Subresources };
}

export interface ResourceSpec {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  printer?: RowPrinter;
  fieldSelectors?: Record<string, FieldValue>;
  allocator?: AllocatorName;
  actsOn?: ResourceDefinition['actsOn'];
  /** Strategy parts that differ from the defaults (no status reset, no generation, delete at once). */
  strategy?: Partial<ResourceStrategy> & {
    validator?: Validator;
    /** metadata.generation starts at 1 and counts spec changes ('spec+annotations': annotation changes too). */
    generation?: boolean | 'spec+annotations';
    initialStatus?: (obj: KubeObject) => unknown;
  };
  /** true for the usual status endpoint; or a strategy of its own. */
  status?: boolean | UpdateSubresource;
  subresources?: Omit<Subresources, 'status'>;
}

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The status endpoint upstream gives most kinds: status from the request, everything else from the stored object. */
export function statusSubresource(validateStatus?: (obj: KubeObject, old: KubeObject) => ReturnType<Validator['create']>): UpdateSubresource {
  return {
    type: 'update',
    verbs: ['get', 'patch', 'update'],
    prepareForUpdate: (obj, old) => {
      // Upstream ResetObjectMetaForStatus + copying spec from the old object.
      const merged: KubeObject = { ...structuredClone(old), status: obj.status };
      merged.metadata = structuredClone(old.metadata);
      return merged;
    },
    validateUpdate: (obj, old) => validateStatus?.(obj, old) ?? [],
  };
}

/** The object's spec-like content: what a change of metadata.generation is about. */
function specOf(obj: KubeObject): KubeObject {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function buildStrategy(spec: ResourceSpec, hasStatus: boolean): ResourceStrategy {
  const s = spec.strategy ?? {};
  const v = s.validator;
  return {
    defaults: s.defaults ?? (() => {}),
    prepareForCreate: s.prepareForCreate ?? ((obj) => {
      if (s.generation) obj.metadata!.generation = 1;
      if (s.initialStatus && hasStatus) obj.status = s.initialStatus(obj);
    }),
    prepareForUpdate: (obj, old) => {
      // The main endpoint never writes status where a status endpoint exists (upstream: newObj.Status = oldObj.Status).
      if (hasStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = structuredClone(old.status);
      }
      s.prepareForUpdate?.(obj, old);
      if (s.generation) {
        const annotationsChanged = s.generation === 'spec+annotations' && !semanticEqual(obj.metadata?.annotations, old.metadata?.annotations);
        const bump = annotationsChanged || !semanticEqual(specOf(obj), specOf(old));
        obj.metadata!.generation = (old.metadata?.generation ?? 1) + (bump ? 1 : 0);
      }
    },
    admit: s.admit,
    validate: s.validate ?? ((obj) => v?.create(obj) ?? validateObjectMeta(obj.metadata, spec.namespaced, nameIsDNSSubdomain)),
    validateUpdate: s.validateUpdate ?? ((obj, old) => v?.update(obj, old) ?? validateObjectMetaUpdate(obj.metadata, old.metadata)),
    admitDelete: s.admitDelete,
    allowCreateOnUpdate: s.allowCreateOnUpdate ?? false,
    gracePeriod: s.gracePeriod,
    specFinalizers: s.specFinalizers,
    prepareForDelete: s.prepareForDelete,
    returnDeletedObject: s.returnDeletedObject ?? false,
  };
}

/** Discovery's view of a connect subresource: GET is "get", POST is "create" (upstream's connect verbs). */
function connectInfo(name: string, sub: ConnectSubresource): { name: string; kind: string; verbs: string[] } {
  const verbs = new Set(sub.methods.map((m) => (m === 'GET' ? 'get' : 'create')));
  return { name, kind: sub.discoveryKind, verbs: [...verbs].sort() };
}

export function defineResource(spec: ResourceSpec): ResourceDefinition {
  const status = spec.status === true ? statusSubresource(spec.strategy?.validator?.updateStatus) : spec.status || undefined;
  const subresources: Subresources = { ...(status ? { status } : {}), ...(spec.subresources ?? {}) };
  const fieldSelectors = spec.fieldSelectors ?? {};
  const connect = (['log', 'exec', 'attach', 'portforward'] as const).filter((n) => subresources[n]);
  const info: ResourceInfo = {
    group: spec.group,
    version: spec.version,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    resource: spec.resource,
    singular: spec.kind.toLowerCase(),
    namespaced: spec.namespaced,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    verbs: spec.verbs ?? allVerbs,
    subresources: {
      status: subresources.status ? true : undefined,
      scale: subresources.scale?.paths,
      binding: subresources.binding ? true : undefined,
      eviction: subresources.eviction ? true : undefined,
      ...(subresources.token ? { token: true } : {}),
      finalize: subresources.finalize ? true : undefined,
      ...(connect.length ? { connect: connect.map((name) => connectInfo(name, subresources[name]!)) } : {}),
    },
    fieldSelectors: Object.keys(fieldSelectors),
    virtual: spec.actsOn ? true : undefined,
  };
  return {
    info,
    strategy: buildStrategy(spec, !!subresources.status),
    printer: spec.printer ?? defaultPrinter,
    fieldSelectors,
    subresources,
    allocator: spec.allocator,
    actsOn: spec.actsOn,
  };
}

/** Every subresource a definition serves, by name. */
export function subresourceOf(def: ResourceDefinition, name: string): SubresourceStrategy | undefined {
  return (def.subresources as Record<string, SubresourceStrategy | undefined>)[name];
}
