// One walk of an object against the OpenAPI schema Skiff serves, for three jobs:
// - the typed decode: every field's JSON type checked against its declared type, reported in the words of
//   upstream's Go decoder (`json: cannot unmarshal number into Go struct field ConfigMap.data of type string`),
//   so defaulting and validation only ever see values of the declared types;
// - server-side field validation (fieldValidation=Strict|Warn): undeclared fields reported by their path, as
//   upstream's strict decoding does (`unknown field "spec.foo"`);
// - pruning those undeclared fields, as upstream drops them when decoding into its types.
// The schemas are the ones served under /openapi, so what `kubectl explain` shows and what the server accepts agree.
import type { KubeObject } from '../../api/object.ts';
import type { Schema, SchemaSet } from '../../api/openapi/schema.ts';
import { refName } from '../../api/openapi/schema.ts';
import { schemaNameOf } from '../../api/openapi/modules.ts';
import { parseApiVersion } from '../../api/object.ts';
import {
  base64Problem, floatProblem, goStructName, goTypeOf, integerProblem, intOrStringProblem, jsonKind, quantityProblem,
  special, timeProblem,
} from '../../api/decode/go-types.ts';

interface Named {
  schema: Schema;
  name?: string;
  /** Set when the named type has a custom Go UnmarshalJSON (decided once, when the reference is resolved). */
  special?: boolean;
}

const specialNames = new Set<string>(Object.values(special));

/** Where the typed walk stands: the (schema name of the) Go struct holding the current field, and the field
 *  names from the root. */
interface TypeCtx {
  struct: string;
  path: string[];
}

export class SchemaWalker {
  constructor(private readonly schemas: SchemaSet) {}

  /** Paths of undeclared fields in obj, judged against the schema of kindKey ("apps/v1/Deployment"). */
  unknownFields(kindKey: string, obj: KubeObject): string[] {
    return this.visit(kindKey, obj, false);
  }

  /** Removes undeclared fields (upstream drops them when decoding into its types) and names them. */
  prune(kindKey: string, obj: KubeObject): string[] {
    return this.visit(kindKey, obj, true);
  }

  /** Go's decode error for the first value whose JSON type its field does not accept; undefined if none. */
  typeError(kindKey: string, obj: KubeObject): string | undefined {
    const root = this.rootOf(kindKey);
    return root ? this.typeErrorOf(root.name, obj) : undefined;
  }

  /** typeError against a schema named directly ("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"). */
  typeErrorOf(schemaName: string, obj: object): string | undefined {
    const schema = this.schemas[schemaName];
    if (!schema) return undefined;
    // apiVersion and kind were read (and type-checked) before the typed decode, as upstream's Interpret does.
    const ctx: TypeCtx = { struct: schemaName, path: [] };
    for (const k in obj) {
      if (k === 'kind' || k === 'apiVersion' || !Object.hasOwn(obj, k) || !schema.properties || !Object.hasOwn(schema.properties, k)) continue;
      ctx.path.push(k);
      const e = this.check(schema.properties[k], (obj as Record<string, unknown>)[k], ctx);
      ctx.path.pop();
      if (e) return e;
    }
    return undefined;
  }

  /** Whether kindKey has a schema (so the typed decode can vouch for it). */
  knows(kindKey: string): boolean {
    return this.rootOf(kindKey) !== undefined;
  }

  private readonly roots = new Map<string, { schema: Schema; name: string } | undefined>();

  private rootOf(kindKey: string): { schema: Schema; name: string } | undefined {
    if (this.roots.has(kindKey)) return this.roots.get(kindKey);
    const root = this.findRoot(kindKey);
    this.roots.set(kindKey, root);
    return root;
  }

  private findRoot(kindKey: string): { schema: Schema; name: string } | undefined {
    const slash = kindKey.lastIndexOf('/');
    const { group, version } = parseApiVersion(kindKey.slice(0, slash));
    const name = schemaNameOf(group, version, kindKey.slice(slash + 1));
    const schema = this.schemas[name];
    return schema ? { schema, name } : undefined;
  }

  private visit(kindKey: string, obj: KubeObject, remove: boolean): string[] {
    const root = this.rootOf(kindKey);
    if (!root) return [];
    const out: string[] = [];
    this.walk(root.schema, obj, '', out, remove);
    return out;
  }

  private readonly resolved = new Map<Schema, Named>();

  /** The schema a reference (or a described `allOf` of one) points at, with its name; memoised per schema. */
  private resolveNamed(schema: Schema): Named {
    const hit = this.resolved.get(schema);
    if (hit) return hit;
    let s = schema;
    let name: string | undefined;
    for (let i = 0; i < 8; i++) {
      const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
      if (!ref) break;
      const next = this.schemas[refName(ref)];
      if (!next) break;
      name = refName(ref);
      s = next;
    }
    const named = { schema: s, name, special: name !== undefined && specialNames.has(name) };
    this.resolved.set(schema, named);
    return named;
  }

  private resolve(schema: Schema): Schema {
    return this.resolveNamed(schema).schema;
  }

  private goType(schema: Schema): string {
    const { schema: s, name } = this.resolveNamed(schema);
    return goTypeOf(s, name, (e) => this.goType(e));
  }

  /** Go's UnmarshalTypeError text; built only when there is an error (the walk itself allocates nothing). */
  private mismatch(s: Schema, name: string | undefined, ctx: TypeCtx, what: string): string {
    const type = goTypeOf(s, name, (e) => this.goType(e));
    return `json: cannot unmarshal ${what} into Go struct field ${goStructName(ctx.struct)}.${ctx.path.join('.')} of type ${type}`;
  }

  private check(schema: Schema, value: unknown, ctx: TypeCtx): string | undefined {
    if (value === null || value === undefined) return undefined;
    const { schema: s, name, special: custom } = this.resolveNamed(schema);
    if (custom) return this.checkSpecial(name!, value);
    switch (s.type) {
      case 'string':
        if (typeof value !== 'string') return this.mismatch(s, name, ctx, jsonKind(value));
        return s.format === 'byte' ? base64Problem(value) : undefined;
      case 'integer': {
        if (typeof value !== 'number') return this.mismatch(s, name, ctx, jsonKind(value));
        const p = integerProblem(value, s.format);
        return p ? this.mismatch(s, name, ctx, p) : undefined;
      }
      case 'number': {
        if (typeof value !== 'number') return this.mismatch(s, name, ctx, jsonKind(value));
        const p = floatProblem(value);
        return p ? this.mismatch(s, name, ctx, p) : undefined;
      }
      case 'boolean':
        return typeof value === 'boolean' ? undefined : this.mismatch(s, name, ctx, jsonKind(value));
      case 'array':
        if (!Array.isArray(value)) return this.mismatch(s, name, ctx, jsonKind(value));
        if (!s.items) return undefined;
        for (const item of value) {
          const e = this.check(s.items, item, ctx);
          if (e) return e;
        }
        return undefined;
      case 'object':
        if (typeof value !== 'object' || Array.isArray(value)) return this.mismatch(s, name, ctx, jsonKind(value));
        return this.checkFields(s, name, value as Record<string, unknown>, ctx);
      default:
        return undefined;
    }
  }

  private checkFields(s: Schema, name: string | undefined, record: Record<string, unknown>, ctx: TypeCtx): string | undefined {
    if (s.properties) {
      // The fields of a named struct report that struct; ctx is restored on the way out rather than copied.
      const outer = ctx.struct;
      if (name) ctx.struct = name;
      for (const k in record) {
        const child = Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
        if (!child || !Object.hasOwn(record, k)) continue;
        ctx.path.push(k);
        const e = this.check(child, record[k], ctx);
        ctx.path.pop();
        if (e) return e;
      }
      ctx.struct = outer;
      return undefined;
    }
    if (s.additionalProperties) {
      for (const k in record) {
        if (!Object.hasOwn(record, k)) continue;
        const e = this.check(s.additionalProperties, record[k], ctx);
        if (e) return e;
      }
    }
    return undefined;
  }

  /** Types whose Go UnmarshalJSON decides what they accept. */
  private checkSpecial(name: string, value: unknown): string | undefined {
    switch (name) {
      case special.intOrString:
        return intOrStringProblem(value);
      case special.quantity:
        return quantityProblem(value);
      case special.time:
        return timeProblem(value, false);
      case special.microTime:
        return timeProblem(value, true);
      default:
        return undefined; // RawExtension, FieldsV1: any JSON at all
    }
  }

  private walk(schema: Schema, value: unknown, path: string, out: string[], remove: boolean): void {
    const s = this.resolve(schema);
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      if (s.items) value.forEach((v, i) => this.walk(s.items!, v, `${path}[${i}]`, out, remove));
      return;
    }
    if (s.properties) {
      const record = value as Record<string, unknown>;
      for (const [k, v] of Object.entries(record)) {
        const child = Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
        const childPath = path ? `${path}.${k}` : k;
        if (!child) {
          out.push(childPath);
          if (remove) delete record[k];
          continue;
        }
        this.walk(child, v, childPath, out, remove);
      }
      return;
    }
    if (s.additionalProperties) {
      for (const [k, v] of Object.entries(value)) this.walk(s.additionalProperties, v, path ? `${path}.${k}` : k, out, remove);
    }
  }
}

/** The name server.ts knows this walker by. */
export { SchemaWalker as UnknownFieldDetector };
