// How an agent joins (k3s's exchange, served by the API server before authentication): GET /cacerts hands out the
// cluster CA bundle (the agent pins it against the hash in a K10… join token); POST /v1-skiff/client-kubelet,
// authenticated by the join token as a bearer token and naming the node in the Skiff-Node-Name header, answers a
// node client certificate (CN system:node:<name>, O system:nodes) signed by the cluster CA; POST
// /v1-skiff/client-kube-proxy, authenticated the same way, answers one for the agent's kube-proxy (CN
// system:kube-proxy, the identity the server's own kube-proxy has; k3s hands out the same). Nothing else: the join
// secret is not an API credential (join-token.ts). A token that is malformed, pins another CA or carries another
// secret gets a 401 Status saying which, and no certificate.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.ts';
import { signLeaf, type KeyAndCert } from '../pki/certs.ts';
import { componentUsers, signNodeClient } from './data-dir.ts';
import { caHash, JoinTokenError, parseJoinToken, sameSecret } from './join-token.ts';

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

/** Why a presented join token is refused, or undefined when it carries this server's secret. */
export function joinTokenProblem(presented: string, caPem: string, secret: string): string | undefined {
  let token;
  try {
    token = parseJoinToken(presented);
  } catch (err) {
    if (err instanceof JoinTokenError) return err.message;
    throw err;
  }
  if (token.caHash !== undefined && token.caHash !== caHash(caPem)) return "the join token's CA hash does not match this server's CA";
  return sameSecret(token.secret, secret) ? undefined : 'the join token is not valid for this server';
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function send(res: ServerResponse, contentType: string, text: string): void {
  res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A POST whose bearer token is this server's join token; throws the Status otherwise. */
function checkJoin(req: IncomingMessage, path: string, caPem: string, secret: string): void {
  req.resume(); // no body is read
  if (req.method !== 'POST') throw ApiError.of(405, 'MethodNotAllowed', `the server does not allow this method on ${path}`);
  const auth = /^Bearer(?:\s+(.*))?$/i.exec(req.headers.authorization ?? '');
  if (!auth) throw ApiError.of(401, 'Unauthorized', 'a join token is required (Authorization: Bearer <node token>)');
  const problem = joinTokenProblem(auth[1] ?? '', caPem, secret);
  if (problem) throw ApiError.of(401, 'Unauthorized', problem);
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
      checkJoin(req, clientKubeletPath, ca.certPem, secret);
      const name = String(req.headers[nodeNameHeader] ?? '');
      if (!dnsSubdomain.test(name) || name.length > 253) {
        throw ApiError.of(400, 'BadRequest', `invalid node name ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain is required (header Skiff-Node-Name)`);
      }
      sendCertificate(res, await signNodeClient(ca, name), ca);
    },
    [clientKubeProxyPath]: async (req, res) => {
      checkJoin(req, clientKubeProxyPath, ca.certPem, secret);
      // a fresh key per agent rather than one key copied to every host; the user is the same
      sendCertificate(res, await signLeaf(ca, { commonName: componentUsers['kube-proxy'], usage: 'client' }), ca);
    },
  };
}
