// Small HTTP helpers shared by the handlers: reading a bounded body, writing JSON, and the single error
// boundary that renders any thrown error as a Status.
//
// Bytes on the wire follow kube-apiserver: API objects and Status bodies are written by Go's json.Encoder, which
// ends each with "\n"; non-API JSON (/version, the root path list) is written indented without one.
// An oversized body is answered 413 only after the rest of it was read and dropped (up to a bound): a server
// that answers and closes while the client is still sending makes the client's kernel see a reset, and the
// client loses the answer (EPIPE/ECONNRESET instead of the 413).
import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';
import { ApiError } from '../../api/errors.ts';

/** Upstream's limit for a request body (3 MiB). */
export const maxBodyBytes = 3 * 1024 * 1024;

/**
 * How much of an oversized body is still read (and dropped) so the client can take its 413 cleanly: on any
 * real link a client finishes sending well within these; one that does not is answered anyway, and closed.
 */
const drainBytes = 256 * 1024 * 1024;
const drainMs = 5_000;

function tooLarge(limit: number): ApiError {
  return ApiError.of(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/**
 * The request body, at most `limit` bytes; past that a 413 once the rest was drained. (Not `for await`: leaving
 * that loop early destroys the request stream, and the rest of the body could no longer be drained.)
 */
export async function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    await discardBody(req, drainBytes);
    throw tooLarge(limit);
  }
  const body = await new Promise<Buffer | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (value: Buffer | undefined, err?: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) settle(undefined);
      else chunks.push(chunk);
    };
    const onEnd = () => settle(Buffer.concat(chunks));
    // A client that goes away mid-body gets no answer; the error only ends the request (no 500 logged).
    const gone = () => settle(undefined, ApiError.badRequest('the client closed the connection before the request body was complete'));
    const onError = gone;
    const onClose = gone;
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
  if (body) return body;
  await discardBody(req, drainBytes);
  throw tooLarge(limit);
}

/**
 * Reads and drops the rest of a request body, giving up after `budget` bytes or drainMs. Never rejects: a
 * client that goes away meanwhile simply ends the wait.
 */
export function discardBody(req: IncomingMessage, budget: number): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete || req.destroyed || budget <= 0) return resolve();
    let left = budget;
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', done);
      req.off('error', done);
      req.off('close', done);
      req.pause();
      resolve();
    };
    const onData = (chunk: Buffer) => {
      left -= chunk.length;
      if (left <= 0) done();
    };
    const timer = setTimeout(done, drainMs);
    req.on('data', onData);
    req.once('end', done);
    req.once('error', done);
    req.once('close', done);
    req.resume();
  });
}

/** The request target as a URL; a malformed one (bad percent-encoding included) is the client's 400. */
export function parseUrl(target: string | undefined): URL {
  try {
    const url = new URL(target ?? '/', 'https://localhost');
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    throw ApiError.badRequest(`malformed request path: ${JSON.stringify((target ?? '').slice(0, 200))}`);
  }
}

/** An API object or Status, as upstream's JSON serializer writes it (compact, newline-terminated). */
export function sendJSON(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Non-API JSON (upstream's responsewriters.WriteRawJSON): indented, no trailing newline. */
export function sendRawJSON(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * The one place an error becomes a response. Unknown errors are 500s whose stack is logged; the message never
 * leaks a stack. A request whose body was not read to its end cannot share its connection with a next request,
 * so such answers (413 among them) close the connection.
 */
export function sendError(res: ServerResponse, err: unknown): number {
  const apiErr = err instanceof ApiError ? err : ApiError.internal(err instanceof Error ? err.message : String(err));
  if (!(err instanceof ApiError)) console.error('apiserver: internal error:', err);
  if (res.headersSent) {
    res.destroy();
    return apiErr.code;
  }
  const headers: Record<string, string> = {};
  const retryAfter = apiErr.status.details?.retryAfterSeconds;
  if (retryAfter && retryAfter > 0) headers['Retry-After'] = String(retryAfter);
  if (apiErr.code === 413 || !res.req.complete) headers.Connection = 'close';
  sendJSON(res, apiErr.code, apiErr.status, headers);
  return apiErr.code;
}

/**
 * The server's response class: `beforeHead` runs once, just before the status line and headers are written (by
 * writeHead or implicitly by write/end). A throw from it propagates to the code that was about to respond, which
 * is still inside the request and can answer with an error instead.
 */
export class HookedResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  beforeHead?: (code: number) => void;

  override writeHead(code: number, message?: string | OutgoingHttpHeaders | OutgoingHttpHeader[], headers?: OutgoingHttpHeaders | OutgoingHttpHeader[]): this {
    const hook = this.beforeHead;
    this.beforeHead = undefined;
    hook?.(code);
    if (typeof message === 'string') return super.writeHead(code, message, headers);
    return super.writeHead(code, message);
  }
}
