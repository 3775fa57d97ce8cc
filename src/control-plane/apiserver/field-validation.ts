// Server-side field validation (fieldValidation=Strict|Warn): fields the schema does not declare are reported
// by their path, as upstream's strict decoding does (`unknown field "spec.foo"`). The schemas are the same
// ones served under /openapi, so what `kubectl explain` shows and what the server accepts agree.
import type { KubeObject } from '../../api/object.ts';
import type { Schema, SchemaSet } from '../../api/openapi/schema.ts';
import { refName } from '../../api/openapi/schema.ts';
import { schemaNameOf } from '../../api/openapi/modules.ts';
import { parseApiVersion } from '../../api/object.ts';

export class UnknownFieldDetector {
  constructor(private readonly schemas: SchemaSet) {}

  /** Paths of undeclared fields in obj, judged against the schema of kindKey ("apps/v1/Deployment"). */
  unknownFields(kindKey: string, obj: KubeObject): string[] {
    return this.visit(kindKey, obj, false);
  }

  /** Removes undeclared fields (upstream drops them when decoding into its types) and names them. */
  prune(kindKey: string, obj: KubeObject): string[] {
    return this.visit(kindKey, obj, true);
  }

  private visit(kindKey: string, obj: KubeObject, remove: boolean): string[] {
    const slash = kindKey.lastIndexOf('/');
    const { group, version } = parseApiVersion(kindKey.slice(0, slash));
    const root = this.schemas[schemaNameOf(group, version, kindKey.slice(slash + 1))];
    if (!root) return [];
    const out: string[] = [];
    this.walk(root, obj, '', out, remove);
    return out;
  }

  private resolve(schema: Schema): Schema {
    let s = schema;
    for (let i = 0; i < 8; i++) {
      const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
      if (!ref) return s;
      const next = this.schemas[refName(ref)];
      if (!next) return s;
      s = next;
    }
    return s;
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
        const child = s.properties[k];
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
