// Query parameters, parsed in this one place the way upstream's url.Values -> options conversion does
// (apimachinery runtime/conversion.go and meta/v1's generated Convert_url_Values_To_v1_*Options):
// - a scalar takes the FIRST value of a repeated parameter; a list (dryRun) takes all of them;
// - a boolean is false only when absent, "0" or "false" in any case, so `watch=True` (the Python client's
//   spelling) and a bare `watch=` are true;
// - an integer is Go's strconv.ParseInt(s, 10, 64): an optional sign and decimal digits, nothing else; a bad
//   one is a 400 carrying strconv's own message;
// - the options are then validated as upstream's ValidateXxxOptions does (422 Invalid on meta.k8s.io kinds).
import type { DeleteOptions } from 'kubernetes-types/meta/v1.js';
import { ApiError } from '../../api/errors.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Convert_Slice_string_To_bool: absent, "0" and "false" (any case) are false; anything else is true. */
export function boolParam(q: URLSearchParams, name: string): boolean {
  return optionalBoolParam(q, name) ?? false;
}

/** Convert_Slice_string_To_Pointer_bool: as boolParam, but absent stays absent (a *bool field). */
export function optionalBoolParam(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  return !(v === '0' || v.toLowerCase() === 'false');
}

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** Convert_Slice_string_To_(Pointer_)int64: the first value through strconv.ParseInt(v, 10, 64). */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw ApiError.badRequest(`strconv.ParseInt: parsing ${goQuote(v)}: invalid syntax`);
  const n = BigInt(v);
  if (n < int64Min || n > int64Max) throw ApiError.badRequest(`strconv.ParseInt: parsing ${goQuote(v)}: value out of range`);
  return Number(n);
}

/** Convert_Slice_string_To_string: the first value; absent stays absent. */
export function stringParam(q: URLSearchParams, name: string): string | undefined {
  return q.get(name) ?? undefined;
}

/** meta/v1 ListOptions as the list and watch handlers read them (upstream decodes the same set for both). */
export interface ListOptions {
  watch: boolean;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  timeoutSeconds?: number;
  limit?: number;
  continue?: string;
}

export function listOptionsOf(q: URLSearchParams): ListOptions {
  return {
    watch: boolParam(q, 'watch'),
    allowWatchBookmarks: boolParam(q, 'allowWatchBookmarks'),
    sendInitialEvents: optionalBoolParam(q, 'sendInitialEvents'),
    resourceVersion: stringParam(q, 'resourceVersion'),
    resourceVersionMatch: stringParam(q, 'resourceVersionMatch'),
    timeoutSeconds: intParam(q, 'timeoutSeconds'),
    limit: intParam(q, 'limit'),
    continue: stringParam(q, 'continue'),
  };
}

/**
 * Whether a collection GET is a watch, as upstream's RequestInfoFactory decides: from the decoded ListOptions,
 * or, when another parameter does not decode, from `watch` alone (the handler then reports that parameter).
 */
export function watchRequested(q: URLSearchParams): boolean {
  return boolParam(q, 'watch');
}

export type WriteOptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

/** dryRun is a list: every value must be "All"; true when there is one. */
export function dryRunOf(q: URLSearchParams, kind: WriteOptionsKind = 'CreateOptions'): boolean {
  return dryRunAll(q.getAll('dryRun'), kind);
}

/** True when dryRun=All is asked for; any other value is a 422 on the options kind. */
export function dryRunAll(values: string[] | undefined, kind: WriteOptionsKind): boolean {
  const err = dryRunError(values);
  if (err) throw invalidOptions(kind, [err]);
  return !!values?.length;
}

/** ValidateDryRun: every value must be "All"; the error names the whole list as Go prints a []string. */
function dryRunError(values: string[] | undefined): OptionError | undefined {
  if (!values?.some((v) => v !== 'All')) return undefined;
  const list = `[]string{${values.map(goQuote).join(', ')}}`;
  return { field: 'dryRun', reason: 'FieldValueNotSupported', detail: `Unsupported value: ${list}: supported values: "All"` };
}

/** fieldValidation: one of the directives (absent or empty means Warn); ValidateFieldValidation words the 422. */
export function fieldValidationOf(q: URLSearchParams, kind: WriteOptionsKind = 'CreateOptions'): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw invalidOptions(kind, [{ field: 'fieldValidation', reason: 'FieldValueNotSupported',
    detail: `Unsupported value: ${goQuote(v)}: supported values: "", "Ignore", "Strict", "Warn"` }]);
}

/** PatchOptions.force: a *bool; only server-side apply may set it (ValidatePatchOptions). */
export function forceOf(q: URLSearchParams, isApply: boolean): boolean {
  const force = optionalBoolParam(q, 'force');
  if (force && !isApply) {
    throw invalidOptions('PatchOptions', [{ field: 'force', reason: 'FieldValueForbidden', detail: 'Forbidden: may not be specified for non-apply patch' }]);
  }
  return force ?? false;
}

const propagationPolicies = ['Foreground', 'Background', 'Orphan'];

/**
 * DeleteOptions from the body or, only when there is no body, from the query (upstream reads one or the other,
 * never both), then validated as ValidateDeleteOptions does.
 */
export function deleteOptionsOf(q: URLSearchParams, body: DeleteOptions | undefined): DeleteOptions {
  if (body) checkDeleteOptionsKind(body);
  const opts: DeleteOptions = body ? { ...body } : queryDeleteOptions(q);
  const errs: OptionError[] = [];
  if (opts.orphanDependents != null && opts.propagationPolicy != null) {
    errs.push({ field: 'propagationPolicy', reason: 'FieldValueInvalid',
      detail: `Invalid value: ${goQuote(opts.propagationPolicy)}: orphanDependents and deletionPropagation cannot be both set` });
  }
  if (opts.propagationPolicy != null && !propagationPolicies.includes(opts.propagationPolicy)) {
    errs.push({ field: 'propagationPolicy', reason: 'FieldValueNotSupported',
      detail: `Unsupported value: ${goQuote(opts.propagationPolicy)}: supported values: ${[...propagationPolicies, 'nil'].map(goQuote).join(', ')}` });
  }
  const dryRun = dryRunError(opts.dryRun);
  if (dryRun) errs.push(dryRun);
  if (errs.length) throw invalidOptions('DeleteOptions', errs);
  // Negative grace periods mean "as soon as possible": upstream treats them as one second on the delete path.
  if (opts.gracePeriodSeconds != null && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1;
  return opts;
}

/**
 * A body is decoded as DeleteOptions (of any group version, for old clients); another kind does not decode.
 * Upstream lets that decoding error through as a 500; it is the client's mistake, so here it is a 400.
 */
function checkDeleteOptionsKind(body: DeleteOptions): void {
  const { kind, apiVersion } = body as { kind?: unknown; apiVersion?: unknown };
  if (kind === undefined || kind === '' || kind === 'DeleteOptions') return;
  throw ApiError.badRequest(`no kind ${goQuote(String(kind))} is registered for version ${goQuote(String(apiVersion ?? ''))}`);
}

function queryDeleteOptions(q: URLSearchParams): DeleteOptions {
  const opts: DeleteOptions = {};
  const grace = intParam(q, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const orphan = optionalBoolParam(q, 'orphanDependents');
  if (orphan !== undefined) opts.orphanDependents = orphan;
  const policy = stringParam(q, 'propagationPolicy');
  if (policy !== undefined) opts.propagationPolicy = policy;
  const dryRun = q.getAll('dryRun');
  if (dryRun.length) opts.dryRun = dryRun;
  return opts;
}

interface OptionError {
  field: string;
  reason: string;
  detail: string;
}

/** A 422 on a meta.k8s.io options kind, worded as errors.NewInvalid renders field errors. */
function invalidOptions(kind: WriteOptionsKind, errs: OptionError[]): ApiError {
  const listed = errs.map((e) => `${e.field}: ${e.detail}`);
  const summary = listed.length === 1 ? listed[0] : `[${listed.join(', ')}]`;
  return ApiError.of(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: ${summary}`, {
    group: 'meta.k8s.io',
    kind,
    causes: errs.map((e) => ({ reason: e.reason, message: e.detail, field: e.field })),
  });
}

/** Go's %q for the strings that reach these messages (printable text): a JSON string literal. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}
