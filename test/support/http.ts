// Raw HTTPS requests to a test server as the admin (client certificate from the kubeconfig), for tests that
// need exact status codes and bodies rather than kubectl's rendering of them.
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

interface KubeconfigFile {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
}

export function adminClient(kubeconfigPath: string) {
  const kc = parse(readFileSync(kubeconfigPath, 'utf8')) as KubeconfigFile;
  const server = new URL(kc.clusters[0].cluster.server);
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64');
  const cert = Buffer.from(kc.users[0].user['client-certificate-data'] ?? '', 'base64');
  const key = Buffer.from(kc.users[0].user['client-key-data'] ?? '', 'base64');
  function send(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, anonymous = false): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const req = request({
        host: server.hostname,
        port: server.port,
        method,
        path,
        ca,
        ...(anonymous ? {} : { cert, key }),
        // Node frames DELETE bodies only with an explicit Content-Length (no chunking by default for DELETE).
        headers: { ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}), ...headers },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json: <T>() => JSON.parse(buf.toString('utf8')) as T });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
  return { send, server, ca, cert, key };
}
