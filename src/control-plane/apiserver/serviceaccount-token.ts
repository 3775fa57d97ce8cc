// Bound service account tokens, as kube-apiserver makes and checks them: serviceaccounts/<name>/token (TokenRequest)
// returns a JWT (RS256, signed with the server's service-account key, kid = the key's SHA-256) whose claims name the
// account and, when bound, the pod: iss and the default audience https://kubernetes.default.svc.cluster.local, sub
// system:serviceaccount:<ns>:<name>, kubernetes.io.{namespace, serviceaccount, pod}. The authenticator accepts such
// a token while it is unexpired, for one of the API audiences, and only while the account (and the bound pod) still
// exists with the UID the token names; it then is system:serviceaccount:<ns>:<name> in system:serviceaccounts and
// system:serviceaccounts:<ns>. Like upstream (--service-account-extend-token-expiration), a pod's kubelet-requested
// token of 3607 s (what admission's kube-api-access volume asks for) is issued valid for a year, so a pod whose
// kubelet does not refresh it keeps working; the TokenRequest still reports the expiry that was asked for.
import { createHash, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import type { UserInfo } from './authn.ts';

export const defaultIssuer = 'https://kubernetes.default.svc.cluster.local';
/** What admission's projected token asks for (upstream's warn-after value) and the year it is extended to. */
const kubeletTokenSeconds = 3607;
const extendedSeconds = 365 * 24 * 3600;
/** Upstream refuses tokens shorter than 10 minutes and caps them at 2^32 seconds. */
const minSeconds = 600;
const maxSeconds = 2 ** 32;

export interface ServiceAccountTokenOptions {
  privateKey: KeyObject;
  /** The objects a token names, read from the store (undefined when absent). */
  lookup(resource: 'serviceaccounts' | 'pods', namespace: string, name: string): Promise<KubeObject | undefined>;
  issuer?: string;
  /** Audiences the API accepts (--api-audiences; default: the issuer). */
  apiAudiences?: string[];
  now?: () => Date;
}

interface KubernetesClaims {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  warnafter?: number;
}

export class ServiceAccountTokens {
  private readonly publicKey: KeyObject;
  private readonly kid: string;
  private readonly issuer: string;
  private readonly audiences: string[];
  private readonly now: () => Date;

  constructor(private readonly o: ServiceAccountTokenOptions) {
    this.publicKey = createPublicKey(o.privateKey);
    this.kid = createHash('sha256').update(this.publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
    this.issuer = o.issuer ?? defaultIssuer;
    this.audiences = o.apiAudiences ?? [this.issuer];
    this.now = o.now ?? (() => new Date());
  }

  /** The TokenRequest answered for serviceAccount (its spec defaulted, its status holding the token). */
  async issue(serviceAccount: KubeObject, request: KubeObject, dryRun: boolean): Promise<KubeObject> {
    const sa = serviceAccount as ServiceAccount;
    const req = request as unknown as Partial<TokenRequest>;
    const ns = sa.metadata?.namespace ?? '';
    const spec = req.spec ?? { audiences: [] };
    const seconds = spec.expirationSeconds ?? 3600;
    if (seconds < minSeconds) throw ApiError.badRequest('expirationSeconds: may not specify a duration less than 10 minutes');
    if (seconds > maxSeconds) throw ApiError.badRequest('expirationSeconds: may not specify a duration larger than 2^32 seconds');
    const audiences = spec.audiences?.length ? spec.audiences : this.audiences;
    const claims: KubernetesClaims = { namespace: ns, serviceaccount: { name: sa.metadata!.name!, uid: sa.metadata!.uid! } };
    const ref = spec.boundObjectRef;
    let extend = false;
    if (ref) {
      if (ref.kind !== 'Pod') throw ApiError.badRequest(`cannot bind token to object of type ${ref.kind}: only Pod is supported`);
      const pod = await this.o.lookup('pods', ns, ref.name ?? '');
      if (!pod) throw ApiError.of(404, 'NotFound', `pods "${ref.name}" not found`, { kind: 'pods', name: ref.name });
      if (ref.uid && ref.uid !== pod.metadata?.uid) {
        throw ApiError.of(409, 'Conflict', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
      }
      claims.pod = { name: pod.metadata!.name!, uid: pod.metadata!.uid! };
      extend = seconds === kubeletTokenSeconds;
    }
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    if (extend) claims.warnafter = issuedAt + seconds;
    const token = dryRun ? '' : await new SignJWT({ 'kubernetes.io': claims })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid })
      .setIssuer(this.issuer)
      .setSubject(`system:serviceaccount:${ns}:${sa.metadata!.name}`)
      .setAudience(audiences)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(issuedAt + (extend ? extendedSeconds : seconds))
      .setJti(randomUUID())
      .sign(this.o.privateKey);
    const answer: TokenRequest = {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
      metadata: { name: sa.metadata!.name, namespace: ns, creationTimestamp: new Date(issuedAt * 1000).toISOString() },
      spec: { ...spec, audiences, expirationSeconds: seconds },
      status: { token, expirationTimestamp: new Date((issuedAt + seconds) * 1000).toISOString() },
    };
    return answer as unknown as KubeObject;
  }

  /** The account a bearer token stands for, or undefined when it is not a valid token of this server. */
  async authenticate(token: string): Promise<UserInfo | undefined> {
    let claims: KubernetesClaims | undefined;
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        issuer: this.issuer, audience: this.audiences, algorithms: ['RS256'], currentDate: this.now(),
      });
      claims = payload['kubernetes.io'] as KubernetesClaims | undefined;
    } catch {
      return undefined;
    }
    if (!claims?.namespace || !claims.serviceaccount?.name) return undefined;
    // a token outlives nothing it names: the account (and the pod it is bound to) must still be the same object
    const sa = await this.o.lookup('serviceaccounts', claims.namespace, claims.serviceaccount.name);
    if (!sa || sa.metadata?.uid !== claims.serviceaccount.uid) return undefined;
    if (claims.pod) {
      const pod = await this.o.lookup('pods', claims.namespace, claims.pod.name);
      if (!pod || pod.metadata?.uid !== claims.pod.uid) return undefined;
    }
    return {
      name: `system:serviceaccount:${claims.namespace}:${claims.serviceaccount.name}`,
      uid: claims.serviceaccount.uid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${claims.namespace}`],
    };
  }
}
