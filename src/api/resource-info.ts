// The description of one served resource: everything discovery, OpenAPI, routing and the generic registry need
// to know about it. Each is derived from a ResourceDefinition (src/api/resources/); the table is src/api/resources.ts.

export interface ScaleSubresource {
  /** JSON paths (dot form) of the replica counts and selector inside the parent object. */
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath: string;
}

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** The plural, lower-case URL segment: "pods", "deployments". */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources served under /<resource>/<name>/<sub>. */
  subresources: {
    status?: boolean;
    scale?: ScaleSubresource;
    binding?: boolean;
    eviction?: boolean;
    /** serviceaccounts/token (TokenRequest). */
    token?: boolean;
    finalize?: boolean;
    /** Streaming subresources proxied to a node (log, exec, attach, portforward), as discovery lists them. */
    connect?: { name: string; kind: string; verbs: string[] }[];
  };
  /** Field-selector labels this resource supports beyond metadata.name / metadata.namespace. */
  fieldSelectors: string[];
  /** True for kinds that are only sent to subresources (Binding, Eviction, Scale), not stored. */
  virtual?: boolean;
}
