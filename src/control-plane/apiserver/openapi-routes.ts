// /openapi/v2 and /openapi/v3[/<group-version>] over HTTP: the documents come from src/api/openapi.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../api/errors.ts';
import { handleOpenApiRequest, OpenApi } from '../../api/openapi/index.ts';

export async function serveOpenApi(api: OpenApi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const answer = handleOpenApiRequest(api, req.url ?? '/', req.headers.accept ?? '', req.headers['if-none-match']);
  if (!answer) throw ApiError.of(404, 'NotFound', 'the server could not find the requested resource');
  res.writeHead(answer.status, { ...answer.headers, 'Content-Length': answer.body.length });
  res.end(answer.body);
}
