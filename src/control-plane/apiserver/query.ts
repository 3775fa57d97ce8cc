// Query parameters shared by many verbs, parsed and checked once (bad values are 400s, as upstream).
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../api/errors.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function dryRunOf(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All' && v !== '') throw ApiError.badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  }
  return values.includes('All');
}

export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw ApiError.badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Warn", "Strict"`);
}

export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw ApiError.badRequest(`${name}: Invalid value: "${v}": must be an integer`);
  return Number(v);
}

/** DeleteOptions from the query string and/or the body (the body wins, as upstream). */
export function deleteOptionsOf(q: URLSearchParams, body: DeleteOptions | undefined): DeleteOptions {
  const opts: DeleteOptions = {};
  const grace = intParam(q, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = q.get('propagationPolicy');
  if (policy) opts.propagationPolicy = policy;
  if (q.get('orphanDependents') !== null) opts.orphanDependents = q.get('orphanDependents') === 'true';
  const merged = { ...opts, ...(body ?? {}) };
  if (merged.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(merged.propagationPolicy)) {
    throw ApiError.invalid('DeleteOptions', 'meta.k8s.io', '', [
      { type: 'FieldValueNotSupported', field: 'propagationPolicy', value: merged.propagationPolicy, supported: ['Foreground', 'Background', 'Orphan'] },
    ]);
  }
  if (merged.gracePeriodSeconds !== undefined && merged.gracePeriodSeconds !== null && merged.gracePeriodSeconds < 0) {
    merged.gracePeriodSeconds = 1;
  }
  return merged;
}
