import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../api/errors.ts';
import { HookedResponse, readBody, sendError, sendJSON, sendRawJSON } from './http.ts';

type Handler = (req: IncomingMessage, res: HookedResponse) => void | Promise<void>;

/** A plain-HTTP server on loopback using the apiserver's response class; one request per call. */
async function exchange(handler: Handler, body?: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> {
  const server = createServer({ ServerResponse: HookedResponse }, (req, res) => void handler(req, res as HookedResponse));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, method: body ? 'POST' : 'GET', path: '/', agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

test('API objects and Status bodies end with a newline, as Go\'s json.Encoder writes them; raw JSON does not', async () => {
  const obj = await exchange((_req, res) => sendJSON(res, 200, { kind: 'ConfigMap' }));
  assert.equal(obj.text, '{"kind":"ConfigMap"}\n');
  assert.equal(obj.headers['content-length'], String(obj.text.length));
  const err = await exchange((_req, res) => void sendError(res, ApiError.badRequest('no')));
  assert.equal(err.status, 400);
  assert.ok(err.text.endsWith('"code":400}\n'));
  const raw = await exchange((_req, res) => sendRawJSON(res, 200, { major: '1' }));
  assert.equal(raw.text, '{\n  "major": "1"\n}');
});

test('beforeHead runs once with the status code; a throw from it reaches the responding code, which can answer 500', async () => {
  const seen: number[] = [];
  const ok = await exchange((_req, res) => {
    res.beforeHead = (code) => seen.push(code);
    res.statusCode = 204;
    res.end();
  });
  assert.equal(ok.status, 204);
  assert.deepEqual(seen, [204]);
  const failed = await exchange((_req, res) => {
    res.beforeHead = () => {
      throw new Error('metrics broke');
    };
    try {
      sendJSON(res, 200, {});
    } catch (e) {
      sendError(res, e);
    }
  });
  assert.equal(failed.status, 500);
  assert.match(JSON.parse(failed.text).message, /metrics broke/);
});

test('an oversized body is read to its end, then answered 413 with Connection: close', async () => {
  let drained = false;
  const r = await exchange(async (req, res) => {
    try {
      await readBody(req, 1024);
    } catch (e) {
      drained = req.complete;
      sendError(res, e);
    }
  }, Buffer.alloc(64 * 1024));
  assert.equal(r.status, 413);
  assert.equal(r.headers.connection, 'close');
  assert.equal(JSON.parse(r.text).message, 'Request entity too large: limit is 1024');
  assert.ok(drained, 'the body was drained before answering');
});

test('a body within the limit is returned whole', async () => {
  let got = 0;
  await exchange(async (req, res) => {
    got = (await readBody(req, 1024)).length;
    res.end();
  }, Buffer.alloc(1024));
  assert.equal(got, 1024);
});
