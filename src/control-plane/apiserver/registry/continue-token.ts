// List continuation tokens: opaque to clients, they pin the revision of the first page (so the pages together
// form one consistent snapshot) and the key to resume after — upstream's {"v","rv","start"} shape, base64.
import { ApiError } from '../../../api/errors.ts';
import { parseJson } from '../../../api/decode/body.ts';

interface Token {
  v: string;
  rv: number;
  start: string;
}

export function encodeContinue(revision: number, lastKey: string): string {
  const token: Token = { v: 'meta.k8s.io/v1', rv: revision, start: lastKey };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

export function decodeContinue(token: string, prefix: string): { revision: number; startAfter: string } {
  let parsed: Partial<Token>;
  try {
    // A token is client input: through the safe decoder (depth limit, no prototype keys) like any body.
    parsed = parseJson(Buffer.from(token, 'base64url')) as Partial<Token>;
    if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
  } catch {
    throw ApiError.badRequest('continue key is not valid: illegal base64 data or JSON');
  }
  if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') {
    throw ApiError.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  // A token may only resume within the collection it came from.
  if (!parsed.start.startsWith(prefix)) throw ApiError.badRequest('continue key is not valid: key is outside the requested collection');
  return { revision: parsed.rv, startAfter: parsed.start };
}
