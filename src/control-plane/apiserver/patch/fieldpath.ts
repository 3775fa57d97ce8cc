// Sets of field paths, the currency of field management (structured-merge-diff's fieldpath.Set). A set is a tree
// keyed by path elements in their FieldsV1 spelling: `f:name` (a field), `k:{"name":"c"}` (an associative list
// item), `v:"x"` (a set item), `i:3` (an atomic-list index, rarely used). `members` are paths that end here;
// `children` hold longer paths. toFieldsV1 / fromFieldsV1 convert to the wire form, where "." marks a node that is
// both a member and has children; keys are emitted in upstream's order (fields, then keys, values, indexes).

export interface PathSet {
  members: Set<string>;
  children: Map<string, PathSet>;
}

export type Path = string[];

export function emptySet(): PathSet {
  return { members: new Set(), children: new Map() };
}

export function isEmpty(s: PathSet): boolean {
  return s.members.size === 0 && s.children.size === 0;
}

export function insert(s: PathSet, path: Path): void {
  let node = s;
  for (let i = 0; i < path.length - 1; i++) {
    let next = node.children.get(path[i]);
    if (!next) {
      next = emptySet();
      node.children.set(path[i], next);
    }
    node = next;
  }
  if (path.length > 0) node.members.add(path[path.length - 1]);
}

export function has(s: PathSet, path: Path): boolean {
  let node: PathSet | undefined = s;
  for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(path[i]);
  return node !== undefined && path.length > 0 && node.members.has(path[path.length - 1]);
}

/** The subtree below `element`, if any. */
export function child(s: PathSet, element: string): PathSet | undefined {
  return s.children.get(element);
}

export function union(a: PathSet, b: PathSet): PathSet {
  const out = copy(a);
  for (const m of b.members) out.members.add(m);
  for (const [k, c] of b.children) {
    const mine = out.children.get(k);
    out.children.set(k, mine ? union(mine, c) : copy(c));
  }
  return out;
}

/** Paths of a that are not paths of b (exact paths; a member of b does not remove a's longer paths). */
export function difference(a: PathSet, b: PathSet): PathSet {
  const out = emptySet();
  for (const m of a.members) if (!b.members.has(m)) out.members.add(m);
  for (const [k, c] of a.children) {
    const other = b.children.get(k);
    const d = other ? difference(c, other) : copy(c);
    if (!isEmpty(d)) out.children.set(k, d);
  }
  return out;
}

/** Paths of a that are not b's paths nor below one of b's members (upstream RecursiveDifference). */
export function recursiveDifference(a: PathSet, b: PathSet): PathSet {
  const out = emptySet();
  for (const m of a.members) if (!b.members.has(m)) out.members.add(m);
  for (const [k, c] of a.children) {
    if (b.members.has(k)) continue;
    const other = b.children.get(k);
    const d = other ? recursiveDifference(c, other) : copy(c);
    if (!isEmpty(d)) out.children.set(k, d);
  }
  return out;
}

export function intersection(a: PathSet, b: PathSet): PathSet {
  const out = emptySet();
  for (const m of a.members) if (b.members.has(m)) out.members.add(m);
  for (const [k, c] of a.children) {
    const other = b.children.get(k);
    if (!other) continue;
    const i = intersection(c, other);
    if (!isEmpty(i)) out.children.set(k, i);
  }
  return out;
}

export function copy(s: PathSet): PathSet {
  const out: PathSet = { members: new Set(s.members), children: new Map() };
  for (const [k, c] of s.children) out.children.set(k, copy(c));
  return out;
}

/** Every path, members of a node before its children, each group in upstream order. */
export function paths(s: PathSet, prefix: Path = []): Path[] {
  const out: Path[] = [];
  for (const m of [...s.members].sort(compareElements)) out.push([...prefix, m]);
  for (const k of [...s.children.keys()].sort(compareElements)) out.push(...paths(s.children.get(k)!, [...prefix, k]));
  return out;
}

// --- path elements ---------------------------------------------------------------------------------------------

export function fieldElement(name: string): string {
  return `f:${name}`;
}

/** `k:{"containerPort":80,"protocol":"TCP"}`: key fields sorted by name, compact JSON. */
export function keyElement(fields: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const name of Object.keys(fields).sort()) sorted[name] = fields[name];
  return `k:${JSON.stringify(sorted)}`;
}

export function valueElement(v: unknown): string {
  return `v:${JSON.stringify(v)}`;
}

export function indexElement(i: number): string {
  return `i:${i}`;
}

const kindOrder: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** The JSON inside a path element. managedFields may come from a request body, so a malformed element is
 *  compared as its text rather than thrown at (a throw here would surface as a 500). */
function elementJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function keyFields(text: string): [string, unknown][] {
  const v = elementJson(text);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v) : [['', text]];
}

function compareScalars(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Upstream's PathElement order: by kind, then field name / key fields / value / index. */
export function compareElements(a: string, b: string): number {
  const ka = kindOrder[a[0]] ?? 9;
  const kb = kindOrder[b[0]] ?? 9;
  if (ka !== kb) return ka - kb;
  const ra = a.slice(2);
  const rb = b.slice(2);
  if (a[0] === 'f') return ra < rb ? -1 : ra > rb ? 1 : 0;
  if (a[0] === 'i') return Number(ra) - Number(rb);
  if (a[0] === 'v') return compareScalars(elementJson(ra), elementJson(rb));
  const fa = keyFields(ra);
  const fb = keyFields(rb);
  for (let i = 0; i < Math.min(fa.length, fb.length); i++) {
    if (fa[i][0] !== fb[i][0]) return fa[i][0] < fb[i][0] ? -1 : 1;
    const c = compareScalars(fa[i][1], fb[i][1]);
    if (c !== 0) return c;
  }
  return fa.length - fb.length;
}

/** `.spec.containers[name="nginx"].image`, as upstream prints a path in conflict messages. */
export function pathString(path: Path): string {
  let out = '';
  for (const e of path) {
    const rest = e.slice(2);
    switch (e[0]) {
      case 'f':
        out += `.${rest}`;
        break;
      case 'k': {
        const fields = keyFields(rest);
        out += `[${fields.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
        break;
      }
      case 'v':
        out += `[=${rest}]`;
        break;
      default:
        out += `[${rest}]`;
    }
  }
  return out;
}

// --- FieldsV1 --------------------------------------------------------------------------------------------------

export type FieldsV1 = { [element: string]: FieldsV1 };

export function toFieldsV1(s: PathSet): FieldsV1 {
  return emit(s, false);
}

function emit(s: PathSet, self: boolean): FieldsV1 {
  const out: FieldsV1 = {};
  if (self) out['.'] = {};
  const keys = new Set([...s.members, ...s.children.keys()]);
  for (const k of [...keys].sort(compareElements)) {
    const c = s.children.get(k);
    out[k] = c ? emit(c, s.members.has(k)) : {};
  }
  return out;
}

export function fromFieldsV1(f: unknown): PathSet {
  const out = emptySet();
  if (!f || typeof f !== 'object') return out;
  for (const [k, v] of Object.entries(f as Record<string, unknown>)) {
    if (k === '.') continue;
    const sub = v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
    const keys = Object.keys(sub);
    if (keys.length === 0) {
      out.members.add(k);
      continue;
    }
    if (keys.includes('.')) out.members.add(k);
    const c = fromFieldsV1(sub);
    if (!isEmpty(c)) out.children.set(k, c);
  }
  return out;
}
