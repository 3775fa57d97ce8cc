// What each resource contributes to the generic registry, as upstream's per-resource strategies: defaulting,
// validation, and how to render it as a Table. The registry (src/api/resources.ts) looks these up by KindKey;
// the generic parts (uid, creationTimestamp, generation, status isolation) live in the apiserver, not here.
import type { FieldError } from './errors.ts';
import type { KubeObject } from './object.ts';

/** A meta.k8s.io/v1 Table column (kubernetes-types does not carry the Table types). */
export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** Fills the fields a user may omit, as upstream's SetDefaults_* functions; mutates obj in place. */
export type Defaulter = (obj: KubeObject) => void;

export interface Validator {
  /** Errors for a new object (metadata included: names, labels, annotations). */
  create(obj: KubeObject): FieldError[];
  /** Errors for an update: everything create checks, plus immutable fields compared with old. */
  update(obj: KubeObject, old: KubeObject): FieldError[];
  /** Errors for a write through the status subresource (optional; default: metadata checks only). */
  updateStatus?(obj: KubeObject, old: KubeObject): FieldError[];
}

export interface TablePrinter {
  /** Upstream's columns, in order; priority 1 marks the extra `-o wide` ones. */
  columns: TableColumnDefinition[];
  /** One row's cells, matching columns (all of them, wide included); `now` for ages. */
  cells(obj: KubeObject, now: Date): unknown[];
}

/** An object admission may consult: "serviceaccounts" in a namespace by name; undefined when there is none. The
 *  object may be shared with other requests: read it, never change it. */
export type AdmissionLookup = (resource: string, namespace: string, name: string) => Promise<KubeObject | undefined>;

/**
 * Upstream's RESTCreateStrategy/RESTUpdateStrategy/RESTDeleteStrategy for one resource: everything the generic
 * store asks of a kind. Stateless; each hook works on the object in place. The generic store fills the
 * system metadata (uid, creationTimestamp, resourceVersion, deletion fields) around these calls.
 */
export interface ResourceStrategy {
  /** Fills the fields a user may omit (SetDefaults_*), on every create and update body. */
  defaults(obj: KubeObject): void;
  /** Resets what a create may not set (status) and starts metadata.generation where tracked. */
  prepareForCreate(obj: KubeObject): void;
  /** Keeps what the main endpoint may not change (status), carries over allocated values, bumps generation. */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
  /** Mutating admission that applies to this kind (upstream's admission plugins); lookup reads other objects
   *  (a pod's ServiceAccount) the way upstream's plugins read their informers. */
  admit?(obj: KubeObject, lookup: AdmissionLookup): void | Promise<void>;
  validate(obj: KubeObject): FieldError[];
  validateUpdate(obj: KubeObject, old: KubeObject): FieldError[];
  /** Validating admission on delete (upstream NamespaceLifecycle); throws an ApiError to refuse. */
  admitDelete?(obj: KubeObject): void;
  /** PUT on a missing object creates it (upstream AllowCreateOnUpdate). */
  allowCreateOnUpdate: boolean;
  /** Seconds a delete waits before it is final (upstream CheckGracefulDelete); absent = at once. */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number;
  /** Finalizers a kind keeps in its spec (a Namespace's spec.finalizers): they hold a deletion too. */
  specFinalizers?(obj: KubeObject): string[];
  /** Marks an object whose deletion is pending (a Namespace's phase Terminating). */
  prepareForDelete?(obj: KubeObject): void;
  /** Delete answers with the deleted object rather than a Success Status (upstream ReturnDeletedObject). */
  returnDeletedObject: boolean;
}

/** An apiVersion/kind pair a subresource's request body must carry. */
export interface BodyKind {
  apiVersion: string;
  kind: string;
}

/** status, finalize: the same stored object through another endpoint that may change other fields. */
export interface UpdateSubresource {
  type: 'update';
  /** The object to store: the parts this endpoint owns taken from obj, the rest from old. */
  prepareForUpdate(obj: KubeObject, old: KubeObject): KubeObject;
  validateUpdate(obj: KubeObject, old: KubeObject): FieldError[];
  verbs: string[];
}

/** scale: an autoscaling/v1 Scale view of the replica count; writes go through the main strategy. */
export interface ScaleSubresourceStrategy {
  type: 'scale';
  paths: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
  validate(scale: KubeObject): FieldError[];
  /** Scale.status.selector when spec.selector is not a metav1.LabelSelector (a ReplicationController's label map). */
  selector?(obj: KubeObject): string;
}

/** binding: a create whose body changes the parent once (upstream BindingREST). */
export interface BindSubresource {
  type: 'bind';
  bodyKind: BodyKind;
  validate(body: KubeObject): FieldError[];
  /** The parent after the binding; throws an ApiError (409) when it cannot be bound. */
  apply(parent: KubeObject, body: KubeObject, now: Date): KubeObject;
}

/** eviction: a create whose body asks for the parent's deletion with its own DeleteOptions (upstream EvictionREST). */
export interface EvictSubresource {
  type: 'evict';
  bodyKind: BodyKind;
  /** What the parent records before it is deleted (upstream: a pod's DisruptionTarget condition); not on dry runs. */
  prepare?(parent: KubeObject, now: Date): KubeObject;
}

/** token: a create whose body asks for a credential of the parent, returned and not stored (upstream TokenREST). */
export interface TokenSubresource {
  type: 'token';
  bodyKind: BodyKind;
}

/** log, exec, attach, portforward: streams the apiserver proxies to the node (upstream Connecter). */
export interface ConnectSubresource {
  type: 'connect';
  /** HTTP methods served (upstream ConnectMethods). */
  methods: string[];
  /** The options kind its query parameters decode into (PodLogOptions, PodExecOptions …). */
  optionsKind: string;
  /** The kind discovery reports for it (upstream: "Pod" for pods/log, the options kind for exec/attach/portforward). */
  discoveryKind: string;
}

export type SubresourceStrategy = UpdateSubresource | ScaleSubresourceStrategy | BindSubresource | EvictSubresource | TokenSubresource | ConnectSubresource;

/** A selectable field's value in one object (upstream GetAttrs / ToSelectableFields). */
export type FieldValue = (obj: KubeObject) => string;
