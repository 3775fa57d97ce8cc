// Small pieces of object-metadata handling the registry shares: generated-name suffixes, timestamps in
// upstream's format, resourceVersion parsing, and comparing objects while ignoring what the server maintains.
import { ApiError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/object.ts';

const generateNameChars = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += generateNameChars[Math.floor(Math.random() * generateNameChars.length)];
  return s;
}

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function parseResourceVersion(rv: string): number {
  if (!/^\d+$/.test(rv)) throw ApiError.badRequest(`invalid resource version "${rv}"`);
  return Number(rv);
}

/** The object without what every write changes anyway, so an update that changes nothing else can be skipped. */
export function withoutBookkeeping(obj: KubeObject): KubeObject {
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = obj.metadata ?? {};
  return { ...obj, metadata: meta };
}

/** The object's spec-like content: what a change of metadata.generation is about. */
export function withoutMetaStatus(obj: KubeObject): KubeObject {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}
