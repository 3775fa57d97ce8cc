// Small HTTP helpers shared by the handlers: reading a bounded body, writing JSON, and the single error
// boundary that renders any thrown error as a Status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../api/errors.ts';

/** Upstream's limit for a request body (3 MiB). */
export const maxBodyBytes = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    throw ApiError.of(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw ApiError.of(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJSON(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The one place an error becomes a response. Unknown errors are 500s; the message never leaks a stack. */
export function sendError(res: ServerResponse, err: unknown): number {
  const apiErr = err instanceof ApiError ? err : ApiError.internal(err instanceof Error ? err.message : String(err));
  if (!(err instanceof ApiError)) console.error('apiserver: internal error:', err);
  if (res.headersSent) {
    res.destroy();
    return apiErr.code;
  }
  sendJSON(res, apiErr.code, apiErr.status);
  return apiErr.code;
}
