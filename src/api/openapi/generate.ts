// Builds Skiff's OpenAPI component schemas from the declarations in the `kubernetes-types` package, read with the
// TypeScript compiler's parser: each interface becomes an object schema with upstream's name, every property keeps
// its doc comment as description, and what TypeScript cannot say (int32 vs int64, bytes, int-or-string, patch and
// list strategies, group/version/kind of meta types) comes from the fact tables in facts.ts.
// Contract: generateSchemas(roots) -> SchemaSet holding the roots and everything they reference.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import type TypeScript from 'typescript';
import type { GroupVersionKind, Schema, SchemaSet } from './schema.ts';
import { v3RefPrefix } from './schema.ts';
import { modulePrefix } from './modules.ts';
import { byteMaps, extraGvks, fieldFacts, numberFormats, schemaFormats, syntheticSchemas } from './facts.ts';

const intOrString = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

// The compiler is loaded only when schemas are generated, so serving a pre-generated file never needs it.
const requireHere = createRequire(import.meta.url);
let tsModule: typeof TypeScript | undefined;
function tsApi(): typeof TypeScript {
  try {
    return (tsModule ??= requireHere('typescript') as typeof TypeScript);
  } catch (err) {
    throw new Error('OpenAPI schemas: generated/openapi-schemas.json is missing and the typescript package is not ' +
      'installed to generate it; run `npm run gen:openapi` where dev dependencies are installed', { cause: err });
  }
}

interface Decl {
  module: string;
  node: TypeScript.InterfaceDeclaration | TypeScript.TypeAliasDeclaration;
}

class TypesPackage {
  private readonly root: string;
  private readonly files = new Map<string, { decls: Map<string, Decl>; imports: Map<string, string> }>();

  constructor() {
    this.root = dirname(requireHere.resolve('kubernetes-types/package.json'));
  }

  private load(module: string): { decls: Map<string, Decl>; imports: Map<string, string> } {
    const cached = this.files.get(module);
    if (cached) return cached;
    const ts = tsApi();
    const text = readFileSync(join(this.root, `${module}.d.ts`), 'utf8');
    const sf = ts.createSourceFile(`${module}.d.ts`, text, ts.ScriptTarget.ES2022, true);
    const decls = new Map<string, Decl>();
    const imports = new Map<string, string>();
    for (const st of sf.statements) {
      if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
        decls.set(st.name.text, { module, node: st });
      } else if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        const from = posix.normalize(posix.join(posix.dirname(module), st.moduleSpecifier.text));
        const bindings = st.importClause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements) imports.set(el.name.text, from);
        }
      }
    }
    const entry = { decls, imports };
    this.files.set(module, entry);
    return entry;
  }

  /** The declaration a name means inside a module (its own, or imported). */
  resolve(module: string, name: string): Decl {
    const file = this.load(module);
    const own = file.decls.get(name);
    if (own) return own;
    const from = file.imports.get(name);
    if (from) return this.resolve(from, name);
    throw new Error(`kubernetes-types: ${name} not found in ${module}`);
  }
}

function docOf(node: TypeScript.Node): string | undefined {
  const ts = tsApi();
  const parts: string[] = [];
  for (const doc of ts.getJSDocCommentsAndTags(node)) {
    if (ts.isJSDoc(doc)) {
      const text = ts.getTextOfJSDocComment(doc.comment);
      if (text) parts.push(text);
    }
  }
  return parts.length > 0 ? parts.join('\n') : undefined;
}

function ref(name: string): Schema {
  return { $ref: v3RefPrefix + name };
}

/** A property schema with its own keys beside a reference: upstream wraps the reference in allOf. */
function withSiblings(base: Schema, extra: Schema): Schema {
  if (base.$ref && Object.keys(extra).length > 0) return { allOf: [base], ...extra };
  return { ...base, ...extra };
}

export function generateSchemas(roots: { module: string; name: string }[]): SchemaSet {
  const ts = tsApi();
  const pkg = new TypesPackage();
  const out: SchemaSet = {};
  const pending: Decl[] = [];

  const nameOf = (d: Decl): string => `${modulePrefix(d.module)}.${d.node.name.text}`;

  const need = (d: Decl): string => {
    const name = nameOf(d);
    if (!(name in out)) {
      out[name] = {};
      pending.push(d);
    }
    return name;
  };

  const convert = (module: string, t: TypeScript.TypeNode, owner: string, field: string): Schema => {
    if (ts.isParenthesizedTypeNode(t)) return convert(module, t.type, owner, field);
    if (ts.isArrayTypeNode(t)) return { type: 'array', items: convert(module, t.elementType, owner, field) };
    if (ts.isTypeReferenceNode(t)) {
      const id = ts.isIdentifier(t.typeName) ? t.typeName.text : t.typeName.right.text;
      if (id === 'Array' && t.typeArguments?.length === 1) {
        return { type: 'array', items: convert(module, t.typeArguments[0], owner, field) };
      }
      return ref(need(pkg.resolve(module, id)));
    }
    if (ts.isTypeLiteralNode(t)) {
      const index = t.members.find(ts.isIndexSignatureDeclaration);
      if (index) return { type: 'object', additionalProperties: convert(module, index.type, owner, field) };
      return { type: 'object' };
    }
    if (ts.isUnionTypeNode(t)) {
      const kinds = new Set(t.types.map((u) => u.kind));
      if (kinds.has(ts.SyntaxKind.NumberKeyword) && kinds.has(ts.SyntaxKind.StringKeyword)) {
        out[intOrString] = syntheticSchemas[intOrString];
        return ref(intOrString);
      }
      throw new Error(`kubernetes-types: unsupported union in ${owner}.${field}`);
    }
    if (ts.isLiteralTypeNode(t)) {
      if (ts.isStringLiteral(t.literal)) return { type: 'string' };
      if (t.literal.kind === ts.SyntaxKind.TrueKeyword || t.literal.kind === ts.SyntaxKind.FalseKeyword) {
        return { type: 'boolean' };
      }
    }
    switch (t.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.NumberKeyword: {
        const f = numberFormats[`${owner}.${field}`] ?? { type: 'integer', format: 'int32' };
        return { ...f };
      }
      case ts.SyntaxKind.AnyKeyword:
      case ts.SyntaxKind.UnknownKeyword:
        return {};
      case ts.SyntaxKind.ObjectKeyword:
        return { type: 'object' };
    }
    throw new Error(`kubernetes-types: unsupported type ${ts.SyntaxKind[t.kind]} in ${owner}.${field}`);
  };

  const build = (d: Decl): Schema => {
    const name = nameOf(d);
    const shortName = d.node.name.text;
    const description = docOf(d.node);
    if (ts.isTypeAliasDeclaration(d.node)) {
      const base = convert(d.module, d.node.type, shortName, '');
      return { ...(description ? { description } : {}), ...base, ...schemaFormats[name] };
    }
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    let apiVersion: string | undefined;
    let kind: string | undefined;
    for (const m of d.node.members) {
      if (!ts.isPropertySignature(m) || !m.type) continue;
      const field = m.name.getText().replace(/^["']|["']$/g, '');
      if (ts.isLiteralTypeNode(m.type) && ts.isStringLiteral(m.type.literal)) {
        if (field === 'apiVersion') apiVersion = m.type.literal.text;
        if (field === 'kind') kind = m.type.literal.text;
      }
      let base = convert(d.module, m.type, shortName, field);
      if (byteMaps.has(`${name}.${field}`) && base.type === 'object') {
        base = { ...base, additionalProperties: { format: 'byte', type: 'string' } };
      }
      const extra: Schema = {};
      const doc = docOf(m);
      if (doc) extra.description = doc;
      Object.assign(extra, fieldFacts[`${shortName}.${field}`]);
      properties[field] = withSiblings(base, extra);
      if (!m.questionToken) required.push(field);
    }
    const schema: Schema = {};
    if (description) schema.description = description;
    if (Object.keys(properties).length > 0) schema.properties = properties;
    if (required.length > 0) schema.required = required;
    schema.type = 'object';
    const gvks: GroupVersionKind[] = [];
    if (apiVersion && kind) {
      const slash = apiVersion.indexOf('/');
      gvks.push(slash < 0 ? { group: '', kind, version: apiVersion }
        : { group: apiVersion.slice(0, slash), kind, version: apiVersion.slice(slash + 1) });
    }
    gvks.push(...(extraGvks[name] ?? []));
    if (gvks.length > 0) schema['x-kubernetes-group-version-kind'] = gvks;
    Object.assign(schema, schemaFormats[name]);
    return schema;
  };

  for (const r of roots) need(pkg.resolve(r.module, r.name));
  for (let d = pending.pop(); d; d = pending.pop()) out[nameOf(d)] = build(d);
  const sorted: SchemaSet = {};
  for (const k of Object.keys(out).sort()) sorted[k] = sortKeys(out[k]);
  return sorted;
}

/** Keys in code-point order at every level, as upstream's documents have them (stable bytes, stable hashes). */
function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = sortKeys(v);
  }
  return out as T;
}
