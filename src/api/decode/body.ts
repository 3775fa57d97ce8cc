// The syntax half of the one decoding boundary: bytes (JSON or YAML) -> plain data, or a DecodeError carrying the
// words upstream's Go decoder would use. Whatever comes out is safe to merge, copy and walk:
// - nesting is capped (maxNestingDepth), so no recursive walk later can overflow the stack;
// - an object key `__proto__`, or a `constructor` holding a `prototype`, is refused (secure-json-parse's scan).
//   Why refuse rather than keep them as data: no Kubernetes field, name, label or annotation key can be spelt
//   `__proto__` (only free-form maps such as ConfigMap data could carry it), while keeping it would make every
//   merge, copy and `for…in` downstream responsible for not assigning through it. One refusal here is auditable;
//   the merges are hardened as well (patch/typed.ts own/setOwn), as a second line. Plain `constructor` and
//   `prototype` keys stay ordinary data: JSON.parse and YAML make them own properties, which cannot reach a
//   prototype unless something walks through the inherited ones, and the merges read own properties only.
// - YAML: aliases are bounded (alias bombs), unknown tags and non-finite numbers refused, as converting YAML to
//   JSON upstream would; duplicate keys are refused when decoding strictly.
import sjson from 'secure-json-parse';
import { parseDocument } from 'yaml';
import { goJsonSyntaxError, maxNestingDepth } from './go-json.ts';

/** A body that does not decode; `message` is the base error upstream wraps (transformDecodeError). */
export class DecodeError extends Error {}

const protoOptions = { protoAction: 'error', constructorAction: 'error' } as const;

function forbiddenKey(): DecodeError {
  return new DecodeError('json: object keys "__proto__" and "constructor.prototype" are not accepted');
}

/** JSON text -> value. `duplicates` also refuses repeated keys (strict decoding). */
export function parseJson(body: Uint8Array, opts: { duplicates?: boolean } = {}): unknown {
  // The full byte scan runs only when it can matter: a body with fewer brackets than the limit cannot be too deep.
  if (opts.duplicates || (body.length > maxNestingDepth && openers(body) > maxNestingDepth)) {
    const err = goJsonSyntaxError(body, { duplicates: opts.duplicates });
    if (err) throw new DecodeError(err);
  }
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : Buffer.from(body).toString('utf8');
  try {
    return sjson.parse(text, null, protoOptions) as unknown;
  } catch (e) {
    if (e instanceof SyntaxError && /forbidden prototype property/.test(e.message)) throw forbiddenKey();
    throw new DecodeError(goJsonSyntaxError(body) ?? (e as Error).message);
  }
}

/** How many `{` and `[` bytes a body holds (an upper bound on its nesting, cheap to count). */
function openers(body: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < body.length; i++) if (body[i] === 0x7b || body[i] === 0x5b) n++;
  return n;
}

/** Refuses prototype keys in a value decoded by some other means (YAML, protobuf, stored objects). */
export function assertNoPrototypeKeys(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  try {
    sjson.scan(value as Record<string, unknown>, protoOptions);
  } catch {
    throw forbiddenKey();
  }
}

/** Depth of nested objects/arrays, walked without recursion; stops counting past the limit. */
export function nestingDepth(value: unknown, limit = maxNestingDepth): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth]);
    }
  }
  return max;
}

const yamlTags = /^tag:yaml\.org,2002:(str|int|float|bool|null|map|seq|binary|merge|omap|pairs|set|timestamp|value)$/;

/** YAML text -> value, as sigs.k8s.io/yaml's YAMLToJSON would accept it. */
export function parseYaml(text: string, opts: { duplicates?: boolean } = {}): unknown {
  const fail = (msg: string): DecodeError => new DecodeError(`error converting YAML to JSON: yaml: ${msg}`);
  let value: unknown;
  try {
    const doc = parseDocument(text, { version: '1.1', uniqueKeys: !!opts.duplicates, merge: true, prettyErrors: false });
    const dup = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
    if (dup) throw new DecodeError(duplicateKeyError(text, dup.pos[0]));
    const syntax = doc.errors[0]?.message.split('\n')[0];
    if (syntax) throw fail(/call stack/.test(syntax) ? `exceeded max depth of ${maxNestingDepth}` : syntax);
    let badTag: string | undefined;
    if (doc.contents) {
      visitTags(doc.contents, (tag) => {
        if (!yamlTags.test(tag)) badTag ??= tag;
      });
    }
    if (badTag) throw fail(`unknown tag ${badTag.replace(/^tag:yaml\.org,2002:/, '!!')}`);
    if (doc.warnings[0]) throw fail(doc.warnings[0].message.split('\n')[0]);
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    const msg = (e as Error).message.split('\n')[0];
    if (e instanceof RangeError || /call stack/.test(msg)) throw fail(`exceeded max depth of ${maxNestingDepth}`);
    throw fail(/alias/i.test(msg) ? 'document contains excessive aliasing' : msg);
  }
  if (nestingDepth(value) > maxNestingDepth) throw fail(`exceeded max depth of ${maxNestingDepth}`);
  assertFinite(value, fail);
  assertNoPrototypeKeys(value);
  return value ?? null;
}

/** go-yaml's strict-mode words for a repeated key (sigs.k8s.io/yaml YAMLToJSONStrict). */
function duplicateKeyError(text: string, offset: number): string {
  const line = text.slice(0, offset).split('\n').length;
  const key = /^["']?([^"':\n]*)/.exec(text.slice(offset))?.[1].trim() ?? '';
  return `yaml: unmarshal errors:\n  line ${line}: key ${JSON.stringify(key)} already set in map`;
}

interface TaggedNode {
  tag?: string;
  items?: unknown[];
  key?: unknown;
  value?: unknown;
}

/** Calls fn with every explicit tag in the document (iteratively: nesting is not yet bounded here). */
function visitTags(root: unknown, fn: (tag: string) => void): void {
  const stack: unknown[] = [root];
  let seen = 0;
  while (stack.length > 0) {
    const n = stack.pop() as TaggedNode | null;
    if (n === null || typeof n !== 'object' || ++seen > 1_000_000) continue;
    if (typeof n.tag === 'string') fn(n.tag);
    if (Array.isArray(n.items)) stack.push(...n.items);
    if ('key' in n) stack.push(n.key, n.value);
  }
}

function assertFinite(value: unknown, fail: (m: string) => DecodeError): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number' && !Number.isFinite(v)) throw fail(`json: unsupported value: ${v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN'}`);
    if (v !== null && typeof v === 'object') for (const c of Array.isArray(v) ? v : Object.values(v)) stack.push(c);
  }
}
