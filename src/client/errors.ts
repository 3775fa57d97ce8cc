// The client's one error type: a StatusError carries the Status the server returned (or one synthesised from the
// HTTP code when the body was not a Status), and the is* helpers classify it the way client-go's apierrors do.
import type { Status } from 'kubernetes-types/meta/v1.js';

export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;

  constructor(readonly status: Status) {
    super(status.message ?? `the server responded with status ${status.code ?? 'unknown'}`);
    this.name = 'StatusError';
    this.code = status.code ?? 0;
    this.reason = status.reason ?? '';
  }
}

const reasonByCode: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

/** Builds the error for a non-2xx response; a body that is not a Status becomes the message, as client-go does. */
export function statusErrorFrom(code: number, body: string): StatusError {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isStatus(parsed)) return new StatusError({ ...parsed, code: parsed.code ?? code });
  } catch {
    // not JSON: fall through
  }
  const reason = reasonByCode[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest');
  const text = body.trim();
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code,
    reason,
    message: text ? `the server responded with status ${code}: ${text.slice(0, 512)}` : `the server responded with status ${code}`,
  });
}

function statusOf(err: unknown): StatusError | undefined {
  return err instanceof StatusError ? err : undefined;
}

export function isNotFound(err: unknown): boolean {
  const e = statusOf(err);
  return !!e && (e.reason === 'NotFound' || (e.reason === '' && e.code === 404));
}

/** A 409 from an update whose resourceVersion was stale (not an AlreadyExists on create). */
export function isConflict(err: unknown): boolean {
  const e = statusOf(err);
  return !!e && (e.reason === 'Conflict' || (e.reason === '' && e.code === 409));
}

export function isAlreadyExists(err: unknown): boolean {
  return statusOf(err)?.reason === 'AlreadyExists';
}

/** 410: the resourceVersion asked for has been compacted away ("Expired" or "Gone"); the answer is to relist. */
export function isGone(err: unknown): boolean {
  const e = statusOf(err);
  return !!e && (e.code === 410 || e.reason === 'Expired' || e.reason === 'Gone');
}

export function isInvalid(err: unknown): boolean {
  return statusOf(err)?.reason === 'Invalid';
}

export function isForbidden(err: unknown): boolean {
  return statusOf(err)?.code === 403;
}

export function isTooManyRequests(err: unknown): boolean {
  const e = statusOf(err);
  return !!e && (e.code === 429 || e.reason === 'TooManyRequests');
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: unknown }).code === 'ABORT_ERR');
}
