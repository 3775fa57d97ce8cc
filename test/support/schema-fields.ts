// Type-confusion cases generated from an OpenAPI v2 document (the one the server under test serves): every field
// of a kind, down to a bounded depth, with a value of the wrong JSON type and the part of upstream's decode error
// it must produce. Independent of the server's own walker: it reads only the served document.

interface V2Schema {
  type?: string;
  format?: string;
  $ref?: string;
  allOf?: V2Schema[];
  properties?: Record<string, V2Schema>;
  items?: V2Schema;
  additionalProperties?: V2Schema | boolean;
}

export interface OpenApiV2 {
  definitions: Record<string, V2Schema>;
}

export interface ConfusionCase {
  /** Field names from the root, e.g. ["spec", "containers", "ports", "containerPort"]. */
  path: string[];
  /** The object to send: only this one field set (lists hold one element, maps one key). */
  body: Record<string, unknown>;
  /** A substring the 400's message must contain. */
  expect: string;
}

const customs: Record<string, { wrong: unknown; expect: string } | null> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { wrong: true, expect: 'json: cannot unmarshal bool into Go value of type int32' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { wrong: true, expect: 'quantities must match the regular expression' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { wrong: 5, expect: 'json: cannot unmarshal number into Go value of type string' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { wrong: 5, expect: 'json: cannot unmarshal number into Go value of type string' },
  // These accept any JSON at all (upstream keeps the raw bytes).
  'io.k8s.apimachinery.pkg.runtime.RawExtension': null,
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': null,
};

function refOf(s: V2Schema): string | undefined {
  return s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
}

/** A wrong value for a plain schema type, and the JSON kind Go will name for it. */
function wrongFor(s: V2Schema): { wrong: unknown; what: string } {
  return s.type === 'string' ? { wrong: 12345, what: 'number' } : { wrong: 'confused', what: 'string' };
}

/** Builds {a: {b: [{c: value}]}} along the path, following the schema to know where lists and maps are. */
function place(steps: ('field' | 'list' | 'map')[], path: string[], value: unknown): Record<string, unknown> {
  let v = value;
  for (let i = steps.length - 1; i >= 0; i--) {
    if (steps[i] === 'list') v = [v];
    else if (steps[i] === 'map') v = { k: v };
    else v = { [path[countFields(steps, i)]]: v };
  }
  return v as Record<string, unknown>;
}

function countFields(steps: ('field' | 'list' | 'map')[], upTo: number): number {
  let n = 0;
  for (let i = 0; i < upTo; i++) if (steps[i] === 'field') n++;
  return n;
}

/** Every field of the root definition to `maxDepth` fields deep, each with its wrong value and expected error. */
export function confusionCases(doc: OpenApiV2, rootName: string, maxDepth = 6): ConfusionCase[] {
  const out: ConfusionCase[] = [];
  const visit = (s: V2Schema, struct: string, path: string[], steps: ('field' | 'list' | 'map')[], seen: string[]): void => {
    const ref = refOf(s);
    let schema = s;
    let name: string | undefined;
    if (ref) {
      name = ref.slice(ref.lastIndexOf('/') + 1);
      if (name in customs) {
        const c = customs[name];
        if (c && path.length > 0) out.push({ path, body: place(steps, path, c.wrong), expect: c.expect });
        return;
      }
      schema = doc.definitions[name] ?? {};
    }
    if (path.length > 0 && (schema.type !== 'object' || !schema.properties)) {
      const { wrong, what } = wrongFor(schema);
      if (schema.type && !(schema.type === 'object' && !schema.properties && !schema.additionalProperties)) {
        out.push({ path, body: place(steps, path, wrong), expect: `json: cannot unmarshal ${what} into Go struct field ${struct}.${path.join('.')} of type ` });
      }
    } else if (path.length > 0) {
      out.push({ path, body: place(steps, path, 'confused'), expect: `json: cannot unmarshal string into Go struct field ${struct}.${path.join('.')} of type ` });
    }
    if (path.length >= maxDepth || (name && seen.includes(name))) return;
    const nextSeen = name ? [...seen, name] : seen;
    if (schema.properties) {
      const inner = name ? name.slice(name.lastIndexOf('.') + 1) : struct;
      for (const [k, child] of Object.entries(schema.properties)) {
        if (path.length === 0 && (k === 'apiVersion' || k === 'kind')) continue;
        visit(child, inner, [...path, k], [...steps, 'field'], nextSeen);
      }
    } else if (schema.type === 'array' && schema.items) {
      visitElement(schema.items, struct, path, [...steps, 'list'], nextSeen);
    } else if (schema.type === 'object' && typeof schema.additionalProperties === 'object') {
      visitElement(schema.additionalProperties, struct, path, [...steps, 'map'], nextSeen);
    }
  };
  // An element of a list or map: its own wrong value is reported at the list's path, so only descend into it.
  const visitElement = (s: V2Schema, struct: string, path: string[], steps: ('field' | 'list' | 'map')[], seen: string[]): void => {
    const ref = refOf(s);
    const name = ref ? ref.slice(ref.lastIndexOf('/') + 1) : undefined;
    if (name && name in customs) return;
    const schema = name ? doc.definitions[name] ?? {} : s;
    if (!schema.properties || (name && seen.includes(name)) || path.length >= maxDepth) return;
    const inner = name ? name.slice(name.lastIndexOf('.') + 1) : struct;
    for (const [k, child] of Object.entries(schema.properties)) visit(child, inner, [...path, k], [...steps, 'field'], name ? [...seen, name] : seen);
  };
  visit({ $ref: `#/definitions/${rootName}` }, '', [], [], []);
  return out;
}
