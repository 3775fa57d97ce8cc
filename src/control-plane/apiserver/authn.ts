// Authentication: who is calling. x509 client certificates signed by the cluster CA (CN = user, O = groups,
// as upstream) and bearer tokens from a static token file (upstream's --token-auth-file CSV:
// token,user,uid,"group1,group2") or service account tokens (JWTs this server signed, serviceaccount-token.ts).
// A request with neither is anonymous and gets 401.
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { parse as parseCsvLine } from './csv.ts';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

export interface Authenticator {
  /** A promise only for a token that takes reading the store (a service account's); certificates answer at once. */
  authenticate(req: IncomingMessage): UserInfo | undefined | Promise<UserInfo | undefined>;
}

/** Checks bearer tokens that are not in the token file (service account JWTs). */
export interface TokenAuthenticator {
  authenticate(token: string): Promise<UserInfo | undefined>;
}

export class TokenFile {
  private readonly tokens = new Map<string, UserInfo>();

  constructor(lines: string) {
    for (const line of lines.split('\n')) {
      if (!line.trim() || line.trim().startsWith('#')) continue;
      const [token, name, uid, groups] = parseCsvLine(line.trim());
      if (!token || !name) continue;
      this.tokens.set(token, { name, uid, groups: groups ? groups.split(',').filter(Boolean) : [] });
    }
  }

  static load(path: string): TokenFile {
    return new TokenFile(readFileSync(path, 'utf8'));
  }

  lookup(token: string): UserInfo | undefined {
    return this.tokens.get(token);
  }
}

export class RequestAuthenticator implements Authenticator {
  // A connection's client certificate never changes, and decoding it is costly: remember it per socket.
  private readonly certUsers = new WeakMap<TLSSocket, UserInfo | null>();

  constructor(private readonly tokens: TokenFile, private readonly serviceAccounts?: TokenAuthenticator) {}

  private certUser(socket: TLSSocket): UserInfo | undefined {
    const known = this.certUsers.get(socket);
    if (known !== undefined) return known ?? undefined;
    let user: UserInfo | null = null;
    if (socket.authorized) {
      const cert = socket.getPeerCertificate();
      const cn = cert?.subject?.CN;
      const o = cert?.subject?.O;
      const name = Array.isArray(cn) ? cn[0] : cn;
      if (name) user = { name, groups: [...(Array.isArray(o) ? o : o ? [o] : []), 'system:authenticated'] };
    }
    this.certUsers.set(socket, user);
    return user ?? undefined;
  }

  authenticate(req: IncomingMessage): UserInfo | undefined | Promise<UserInfo | undefined> {
    const fromCert = this.certUser(req.socket as TLSSocket);
    if (fromCert) return fromCert;
    const auth = req.headers.authorization;
    if (auth && /^bearer /i.test(auth)) {
      const token = auth.slice(7).trim();
      const user = this.tokens.lookup(token);
      if (user) return { ...user, groups: [...user.groups, 'system:authenticated'] };
      if (this.serviceAccounts) {
        return this.serviceAccounts.authenticate(token).then((sa) => (sa ? { ...sa, groups: [...sa.groups, 'system:authenticated'] } : undefined));
      }
    }
    return undefined;
  }
}

/** The seam for authorization: today every authenticated user may do everything (RBAC comes later). */
export interface Authorizer {
  authorize(user: UserInfo, attributes: { verb: string; resource?: string; namespace?: string; path: string }): boolean;
}

export const allowAuthenticated: Authorizer = {
  authorize: () => true,
};
