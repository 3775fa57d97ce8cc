// The REST operations Skiff serves for each resource, in upstream's URL shapes and operation names, described
// once here and rendered as OpenAPI v3 (v3.ts) or v2 (v2.ts). The verbs of a ResourceInfo decide which exist.
import type { ResourceInfo } from '../resource-info.ts';
import type { GroupVersionKind } from './schema.ts';
import { metaV1, schemaNameOf } from './modules.ts';

export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

export interface Param {
  name: string;
  in: 'query' | 'path';
  type: 'string' | 'boolean' | 'integer';
  description: string;
  required?: boolean;
}

export interface Operation {
  method: Method;
  operationId: string;
  description: string;
  action: string;
  gvk: GroupVersionKind;
  tag: string;
  params: Param[];
  /** Schema name of the request body, if any. */
  body?: { schema: string; required: boolean; patch?: boolean };
  /** Status code -> schema name of the response (undefined for a bare description). */
  responses: { code: string; description: string; schema: string }[];
}

export interface PathItem {
  path: string;
  params: Param[];
  ops: Operation[];
}

const q = (name: string, type: Param['type'], description: string): Param => ({ name, in: 'query', type, description });

const pretty = q('pretty', 'string', "If 'true', then the output is pretty printed.");
const dryRun = q('dryRun', 'string',
  'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed');
const fieldManager = q('fieldManager', 'string',
  'fieldManager is a name associated with the actor or entity that is making these changes.');
const fieldValidation = q('fieldValidation', 'string',
  'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown ' +
  'or duplicate fields. Valid values are: - Ignore - Warn - Strict');
const force = q('force', 'boolean', 'Force is going to "force" Apply requests.');
const writeParams = [dryRun, fieldManager, fieldValidation];
const listParams = [
  q('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'),
  q('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
  q('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  q('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  q('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
  q('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  q('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  q('sendInitialEvents', 'boolean', '`sendInitialEvents=true` may be set together with `watch=true`.'),
  q('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  q('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
];
const deleteParams = [
  dryRun,
  q('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted.'),
  q('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy.'),
  q('propagationPolicy', 'string', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
];
const namespaceParam: Param = {
  name: 'namespace', in: 'path', type: 'string', required: true,
  description: 'object name and auth scope, such as for teams and projects',
};
const nameParam = (kind: string): Param => ({
  name: 'name', in: 'path', type: 'string', required: true, description: `name of the ${kind}`,
});

const status = `${metaV1}.Status`;
const deleteOptions = `${metaV1}.DeleteOptions`;
const patchBody = `${metaV1}.Patch`;

/** 'apps' -> 'Apps', 'coordination.k8s.io' -> 'Coordination', '' -> 'Core' (upstream's operation-id words). */
function groupWord(group: string): string {
  if (group === '') return 'Core';
  return group.replace(/\.k8s\.io$/, '').split('.').map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

export function groupVersionTag(group: string, version: string): string {
  return `${group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').replace(/\./g, '_')}_${version}`;
}

/** Every path item of one resource (collection, item, subresources, watch). */
export function resourcePaths(r: ResourceInfo): PathItem[] {
  const base = groupVersionPath(r.group, r.version);
  const gw = `${groupWord(r.group)}${r.version[0].toUpperCase()}${r.version.slice(1)}`;
  const scope = r.namespaced ? 'Namespaced' : '';
  const tag = groupVersionTag(r.group, r.version);
  const gvk: GroupVersionKind = { group: r.group, kind: r.kind, version: r.version };
  const obj = schemaNameOf(r.group, r.version, r.kind);
  const list = schemaNameOf(r.group, r.version, r.listKind);
  const verbs = new Set(r.verbs);
  const ns = r.namespaced ? '/namespaces/{namespace}' : '';
  const nsParams = r.namespaced ? [namespaceParam] : [];
  const op = (method: Method, verb: string, action: string, suffix: string, description: string,
    rest: Partial<Operation> = {}): Operation => ({
    method, action, gvk, tag, description,
    operationId: `${verb}${gw}${suffix}`,
    params: [], responses: [], ...rest,
  });
  const ok = (schema: string) => [{ code: '200', description: 'OK', schema }];
  const created = (schema: string) => [
    { code: '200', description: 'OK', schema }, { code: '201', description: 'Created', schema },
    { code: '202', description: 'Accepted', schema },
  ];
  const items: PathItem[] = [];

  const collection: Operation[] = [];
  if (verbs.has('list')) {
    collection.push(op('get', 'list', 'list', `${scope}${r.kind}`, `list or watch objects of kind ${r.kind}`,
      { params: listParams, responses: ok(list) }));
  }
  if (verbs.has('create')) {
    collection.push(op('post', 'create', 'post', `${scope}${r.kind}`, `create a ${r.kind}`,
      { params: writeParams, body: { schema: obj, required: true }, responses: created(obj) }));
  }
  if (verbs.has('deletecollection')) {
    collection.push(op('delete', 'delete', 'deletecollection', `Collection${scope}${r.kind}`,
      `delete collection of ${r.kind}`, {
        params: [...deleteParams, ...listParams.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
        body: { schema: deleteOptions, required: false }, responses: ok(status),
      }));
  }
  if (collection.length > 0) items.push({ path: `${base}${ns}/${r.resource}`, params: [...nsParams, pretty], ops: collection });

  const item: Operation[] = [];
  if (verbs.has('get')) {
    item.push(op('get', 'read', 'get', `${scope}${r.kind}`, `read the specified ${r.kind}`, { responses: ok(obj) }));
  }
  if (verbs.has('update')) {
    item.push(op('put', 'replace', 'put', `${scope}${r.kind}`, `replace the specified ${r.kind}`,
      { params: writeParams, body: { schema: obj, required: true }, responses: created(obj).slice(0, 2) }));
  }
  if (verbs.has('patch')) {
    item.push(op('patch', 'patch', 'patch', `${scope}${r.kind}`, `partially update the specified ${r.kind}`,
      { params: [...writeParams, force], body: { schema: patchBody, required: true, patch: true },
        responses: created(obj).slice(0, 2) }));
  }
  if (verbs.has('delete')) {
    item.push(op('delete', 'delete', 'delete', `${scope}${r.kind}`, `delete a ${r.kind}`, {
      params: deleteParams, body: { schema: deleteOptions, required: false },
      responses: [{ code: '200', description: 'OK', schema: status }, { code: '202', description: 'Accepted', schema: status }],
    }));
  }
  const itemParams = [nameParam(r.kind), ...nsParams, pretty];
  if (item.length > 0) items.push({ path: `${base}${ns}/${r.resource}/{name}`, params: itemParams, ops: item });

  const sub = (name: string, word: string, subGvk: GroupVersionKind, schema: string) => {
    const ops: Operation[] = [
      op('get', 'read', 'get', `${scope}${r.kind}${word}`, `read ${name} of the specified ${r.kind}`,
        { gvk: subGvk, responses: ok(schema) }),
      op('put', 'replace', 'put', `${scope}${r.kind}${word}`, `replace ${name} of the specified ${r.kind}`,
        { gvk: subGvk, params: writeParams, body: { schema, required: true }, responses: created(schema).slice(0, 2) }),
      op('patch', 'patch', 'patch', `${scope}${r.kind}${word}`, `partially update ${name} of the specified ${r.kind}`,
        { gvk: subGvk, params: [...writeParams, force], body: { schema: patchBody, required: true, patch: true },
          responses: created(schema).slice(0, 2) }),
    ];
    items.push({ path: `${base}${ns}/${r.resource}/{name}/${name}`, params: itemParams, ops });
  };
  if (r.subresources.status) sub('status', 'Status', gvk, obj);
  if (r.subresources.scale) {
    sub('scale', 'Scale', { group: 'autoscaling', kind: 'Scale', version: 'v1' }, 'io.k8s.api.autoscaling.v1.Scale');
  }
  const post = (name: string, word: string, subGvk: GroupVersionKind, schema: string) => {
    items.push({
      path: `${base}${ns}/${r.resource}/{name}/${name}`, params: [nameParam(subGvk.kind), ...nsParams, pretty],
      ops: [op('post', 'create', 'post', `${scope}${r.kind}${word}`, `create ${word} of a ${r.kind}`,
        { gvk: subGvk, params: writeParams, body: { schema, required: true }, responses: created(schema) })],
    });
  };
  if (r.subresources.binding) post('binding', 'Binding', { group: '', kind: 'Binding', version: 'v1' }, 'io.k8s.api.core.v1.Binding');
  if (r.subresources.eviction) {
    post('eviction', 'Eviction', { group: 'policy', kind: 'Eviction', version: 'v1' }, 'io.k8s.api.policy.v1.Eviction');
  }

  if (verbs.has('list') && r.namespaced) {
    items.push({ path: `${base}/${r.resource}`, params: [...listParams, pretty], ops: [
      op('get', 'list', 'list', `${r.kind}ForAllNamespaces`, `list or watch objects of kind ${r.kind}`, { responses: ok(list) }),
    ] });
  }
  if (verbs.has('watch')) {
    const event = `${metaV1}.WatchEvent`;
    items.push({ path: `${base}/watch${ns}/${r.resource}`, params: [...nsParams, ...listParams, pretty], ops: [
      op('get', 'watch', 'watchlist', `${scope}${r.kind}List`, `watch individual changes to a list of ${r.kind}`,
        { responses: ok(event) }),
    ] });
    items.push({ path: `${base}/watch${ns}/${r.resource}/{name}`, params: [nameParam(r.kind), ...nsParams, ...listParams, pretty],
      ops: [op('get', 'watch', 'watch', `${scope}${r.kind}`, `watch changes to an object of kind ${r.kind}`,
        { responses: ok(event) })] });
    if (r.namespaced) {
      items.push({ path: `${base}/watch/${r.resource}`, params: [...listParams, pretty], ops: [
        op('get', 'watch', 'watchlist', `${r.kind}ListForAllNamespaces`, `watch individual changes to a list of ${r.kind}`,
          { responses: ok(event) }),
      ] });
    }
  }
  return items;
}

/** The resource-list path of a group version (`GET /apis/apps/v1/`). */
export function discoveryPath(group: string, version: string): PathItem {
  const gw = `${groupWord(group)}${version[0].toUpperCase()}${version.slice(1)}`;
  return {
    path: `${groupVersionPath(group, version)}/`, params: [], ops: [{
      method: 'get', operationId: `get${gw}APIResources`, description: 'get available resources', action: '',
      gvk: { group: '', kind: '', version: '' }, tag: groupVersionTag(group, version), params: [],
      responses: [{ code: '200', description: 'OK', schema: `${metaV1}.APIResourceList` }],
    }],
  };
}

/** The `paths` object of a document, in path order; v2 and v3 differ only in how they render operations and parameters. */
export function renderPaths(items: PathItem[], operation: (o: Operation) => object, param: (p: Param) => object): Record<string, object> {
  const paths: Record<string, object> = {};
  for (const item of [...items].sort((a, b) => a.path.localeCompare(b.path))) {
    const entry: Record<string, unknown> = {};
    for (const o of item.ops) entry[o.method] = operation(o);
    if (item.params.length > 0) entry.parameters = item.params.map(param);
    paths[item.path] = entry;
  }
  return paths;
}
