// One error type for the whole API: anything thrown while serving a request is either an ApiError (carrying the
// exact upstream Status) or turned into a 500 InternalError at the server's single error boundary.
import type { Status, StatusCause } from 'kubernetes-types/meta/v1.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'Timeout'
  | 'ServiceUnavailable';

export interface GroupResource {
  group: string;
  resource: string;
}

/** "deployments.apps" or "pods": how upstream names a resource in messages. */
export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export class ApiError extends Error {
  constructor(readonly status: Status & { code: number }) {
    super(status.message);
  }

  get code(): number {
    return this.status.code;
  }

  static of(code: number, reason: StatusReason, message: string, details?: Status['details']): ApiError {
    return new ApiError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    });
  }

  static badRequest(message: string): ApiError {
    return ApiError.of(400, 'BadRequest', message);
  }

  static notFound(gr: GroupResource, name: string): ApiError {
    return ApiError.of(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    });
  }

  static alreadyExists(gr: GroupResource, name: string): ApiError {
    return ApiError.of(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`, {
      name,
      group: gr.group || undefined,
      kind: gr.resource,
    });
  }

  static conflict(gr: GroupResource, name: string, why: string): ApiError {
    return ApiError.of(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`,
      { name, group: gr.group || undefined, kind: gr.resource },
    );
  }

  /** 422 with one cause per field error, message shaped like upstream's NewInvalid. */
  static invalid(kind: string, group: string, name: string, errors: FieldError[]): ApiError {
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    const listed = errors.map(fieldErrorText);
    const summary = listed.length === 1 ? listed[0] : `[${listed.join(', ')}]`;
    return ApiError.of(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, {
      name,
      group: group || undefined,
      kind,
      causes: errors.map(
        (e): StatusCause => ({ reason: e.type, message: fieldErrorDetail(e), field: e.field }),
      ),
    });
  }

  static methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
    return ApiError.of(405, 'MethodNotAllowed', message);
  }

  static unsupportedMediaType(contentType: string): ApiError {
    return ApiError.of(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got ${contentType})`);
  }

  static gone(message: string): ApiError {
    return ApiError.of(410, 'Expired', message);
  }

  static internal(message: string): ApiError {
    return ApiError.of(500, 'InternalError', `Internal error occurred: ${message}`);
  }
}

/** Upstream's field.ErrorType values (they appear verbatim as StatusCause.reason). */
export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueDuplicate'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

export interface FieldError {
  type: FieldErrorType;
  /** Dotted path, e.g. "spec.template.spec.containers[0].image". */
  field: string;
  /** The bad value, if any (rendered like upstream: strings quoted). */
  value?: unknown;
  detail?: string;
  /** For FieldValueNotSupported: the allowed values. */
  supported?: string[];
}

const fieldErrorWords: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  InternalError: 'Internal error',
};

function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v);
}

/** "Invalid value: \"Foo\": a lowercase RFC 1123 ..." — the part after the field path. */
function fieldErrorDetail(e: FieldError): string {
  let s = fieldErrorWords[e.type];
  const showsValue = e.type === 'FieldValueInvalid' || e.type === 'FieldValueNotSupported' ||
    e.type === 'FieldValueDuplicate' || e.type === 'FieldValueTypeInvalid';
  if (showsValue && e.value !== undefined) s += `: ${renderValue(e.value)}`;
  if (e.type === 'FieldValueNotSupported' && e.supported?.length) {
    s += `: supported values: ${e.supported.map((x) => JSON.stringify(x)).join(', ')}`;
  } else if (e.detail) {
    s += `: ${e.detail}`;
  }
  return s;
}

export function fieldErrorText(e: FieldError): string {
  return `${e.field}: ${fieldErrorDetail(e)}`;
}

/** Builds field errors with upstream's vocabulary. */
export const fieldErrors = {
  required: (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail }),
  invalid: (field: string, value: unknown, detail?: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail }),
  notSupported: (field: string, value: unknown, supported: string[]): FieldError => ({ type: 'FieldValueNotSupported', field, value, supported }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail }),
  duplicate: (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value }),
  tooLong: (field: string, maxLength: number): FieldError => ({ type: 'FieldValueTooLong', field, detail: `may not be more than ${maxLength} bytes` }),
};
