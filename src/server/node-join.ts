// How an agent joins (k3s's exchange, served by the API server before authentication): GET /cacerts hands out the
// cluster CA bundle (the agent pins it against the hash in a K10… join token); POST /v1-skiff/client-kubelet,
// authenticated by the join token as a bearer token and naming the node in the Skiff-Node-Name header, answers a
// node client certificate (CN system:node:<name>, O system:nodes) signed by the cluster CA; POST
// /v1-skiff/client-kube-proxy, authenticated the same way, answers one for the agent's kube-proxy (CN
// system:kube-proxy, the identity the server's own kube-proxy has; k3s hands out the same). A wrong token gets a 401
// Status and no certificate.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.ts';
import { signLeaf, type KeyAndCert } from '../pki/certs.ts';
import { componentUsers, signNodeClient } from './data-dir.ts';

export const caCertsPath = '/cacerts';
export const clientKubeletPath = '/v1-skiff/client-kubelet';
export const clientKubeProxyPath = '/v1-skiff/client-kube-proxy';
export const nodeNameHeader = 'skiff-node-name';

/** What POST /v1-skiff/client-kubelet (and client-kube-proxy) answers. */
export interface NodeCertificate {
  certificate: string;
  key: string;
  ca: string;
}

/** The secret part of a join token: `K10<hash>::server:<secret>` or the bare secret. */
export function joinSecret(token: string): string {
  const m = /^K10[0-9a-f]+::[^:]+:(.+)$/.exec(token);
  return m ? m[1] : token;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function send(res: ServerResponse, contentType: string, text: string): void {
  res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A POST whose bearer token is the join token; throws the Status otherwise. */
function checkJoin(req: IncomingMessage, path: string, secret: string): void {
  req.resume(); // no body is read
  if (req.method !== 'POST') throw ApiError.of(405, 'MethodNotAllowed', `the server does not allow this method on ${path}`);
  const auth = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
  if (!auth || !sameSecret(joinSecret(auth[1].trim()), secret)) {
    throw ApiError.of(401, 'Unauthorized', 'the join token is not valid for this server');
  }
}

function sendCertificate(res: ServerResponse, cert: KeyAndCert, ca: KeyAndCert): void {
  const body: NodeCertificate = { certificate: cert.certPem, key: cert.keyPem, ca: ca.certPem };
  send(res, 'application/json', JSON.stringify(body));
}

export function nodeJoinHandlers(ca: KeyAndCert, secret: string): Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> {
  return {
    [caCertsPath]: async (req, res) => {
      if (req.method !== 'GET') throw ApiError.of(405, 'MethodNotAllowed', `the server does not allow this method on ${caCertsPath}`);
      send(res, 'text/plain; charset=utf-8', ca.certPem);
    },
    [clientKubeletPath]: async (req, res) => {
      checkJoin(req, clientKubeletPath, secret);
      const name = String(req.headers[nodeNameHeader] ?? '');
      if (!dnsSubdomain.test(name) || name.length > 253) {
        throw ApiError.of(400, 'BadRequest', `invalid node name ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain is required (header Skiff-Node-Name)`);
      }
      sendCertificate(res, await signNodeClient(ca, name), ca);
    },
    [clientKubeProxyPath]: async (req, res) => {
      checkJoin(req, clientKubeProxyPath, secret);
      // a fresh key per agent rather than one key copied to every host; the user is the same
      sendCertificate(res, await signLeaf(ca, { commonName: componentUsers['kube-proxy'], usage: 'client' }), ca);
    },
  };
}
