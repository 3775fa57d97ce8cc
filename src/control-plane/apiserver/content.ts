// Request and response formats: bodies arrive as JSON, YAML or Kubernetes protobuf (the `k8s\0` envelope);
// responses are JSON, shaped as a Table or PartialObjectMetadata when the Accept header asks for it.
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { decodeK8sProtobuf } from '../../api/protobuf/index.ts';

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function bodyFormat(contentType: string | undefined): BodyFormat {
  const mt = mediaType(contentType);
  if (mt === 'application/json' || mt === '') return 'json';
  if (mt === 'application/yaml' || mt === 'application/apply-patch+yaml') return 'yaml';
  if (mt === 'application/vnd.kubernetes.protobuf') return 'protobuf';
  throw ApiError.unsupportedMediaType(contentType ?? '');
}

/** Decodes an object body; anything that is not one JSON object becomes a 400 with upstream's wording. */
export function decodeObject(body: Buffer, format: BodyFormat): KubeObject {
  if (body.length === 0) throw ApiError.badRequest('Object \'Kind\' is missing in \'\'');
  let value: unknown;
  if (format === 'protobuf') return decodeK8sProtobuf(body);
  try {
    value = format === 'json' ? JSON.parse(body.toString('utf8')) : parseYaml(body.toString('utf8'), { maxAliasCount: 100 });
  } catch (e) {
    const what = format === 'json' ? 'json' : 'yaml';
    throw ApiError.badRequest(`error decoding ${what}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw ApiError.badRequest(`Object 'Kind' is missing in '${body.toString('utf8').slice(0, 200)}'`);
  }
  return value as KubeObject;
}

export type ResponseShape = 'object' | 'table' | 'metadata';

/** What the client asked to receive: a Table, PartialObjectMetadata(List), or the object itself. */
export function responseShape(accept: string | undefined): ResponseShape {
  if (!accept) return 'object';
  for (const clause of accept.split(',')) {
    const params = new Map<string, string>();
    for (const p of clause.split(';').slice(1)) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k && v) params.set(k, v);
    }
    const as = params.get('as');
    const g = params.get('g');
    const v = params.get('v');
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
    if (as === 'Table') return 'table';
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return 'metadata';
  }
  return 'object';
}
