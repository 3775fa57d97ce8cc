// Authorization as Skiff runs it until RBAC exists: upstream's Node authorizer and NodeRestriction admission for
// nodes (users in system:nodes), the system:node-proxier role for the user system:kube-proxy, and every other
// authenticated user allowed everything, as before. authorize() answers a request's Attributes; admission() gives
// the write-time check a node's writes must pass (undefined for everyone else, who pay nothing for it).
import type { KubeObject } from '../../../api/object.ts';
import type { Store } from '../../../store/interface.ts';
import type { UserInfo } from '../authn.ts';
import type { RequestInfo } from '../request-info.ts';
import { allow, deny, type Attributes, type Decision } from './attributes.ts';
import { StoreReader, type ObjectReader } from './node-graph.ts';
import { authorizeNode, nodeIdentity } from './node-authorizer.ts';
import { admitNodeWrite } from './node-restriction.ts';
import { authenticatedRules, nodeProxierRules, rulesAllow } from './rules.ts';

export { attributesOf, forbidden, type Attributes, type Decision } from './attributes.ts';

export const kubeProxyUser = 'system:kube-proxy';

export type Admit = (object: KubeObject | undefined, old: KubeObject | undefined) => Promise<void>;

export class ScopedAuthorizer {
  private readonly reader: ObjectReader;

  constructor(source: Store | ObjectReader) {
    this.reader = 'podsOnNode' in source ? source : new StoreReader(source);
  }

  async authorize(a: Attributes): Promise<Decision> {
    const node = nodeIdentity(a.user);
    if (node) return authorizeNode(a, node.name, this.reader);
    if (a.user.name === kubeProxyUser) return rulesAllow(a, nodeProxierRules) || rulesAllow(a, authenticatedRules) ? allow : deny();
    return allow;
  }

  admission(user: UserInfo, info: RequestInfo): Admit | undefined {
    const node = nodeIdentity(user);
    if (!node || info.kind !== 'resource') return undefined;
    const { verb, group, resource, subresource, namespace, name } = info;
    return (object, old) => admitNodeWrite({ node: node.name, verb, group, resource, subresource, namespace, name, object, old }, this.reader);
  }
}
