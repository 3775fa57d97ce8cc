// The identities the product runs its node components with, for tests that start a kubelet or kube-proxy against a
// test server: the kubeconfig a joining agent gets (POST /v1-skiff/client-kubelet: system:node:<name> in group
// system:nodes; /v1-skiff/client-kube-proxy: system:kube-proxy), written into the server's data dir (removed with it).
// A test that ran its kubelet as the admin would not notice what the Node authorizer refuses a real node.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { joinCluster, joinKubeProxy } from '../../src/cli/agent-command.ts';
import { kubeconfigYaml } from '../../src/server/kubeconfig.ts';
import type { TestServer } from './server.ts';

type Server = Pick<TestServer, 'url' | 'joinToken' | 'dataDir'>;

function write(server: Server, file: string, cert: { certificate: string; key: string; ca: string }): string {
  const path = join(server.dataDir, file);
  writeFileSync(path, kubeconfigYaml({ server: server.url, ca: cert.ca, client: { certPem: cert.certificate, keyPem: cert.key } }), { mode: 0o600 });
  return path;
}

/** A kubeconfig for node nodeName's kubelet (system:node:<nodeName>). */
export async function nodeKubeconfig(server: Server, nodeName: string): Promise<string> {
  return write(server, `kubelet-${nodeName}.kubeconfig`, await joinCluster(server.url, server.joinToken, nodeName));
}

/** A kubeconfig for kube-proxy (system:kube-proxy). */
export async function kubeProxyKubeconfig(server: Server): Promise<string> {
  return write(server, 'kube-proxy.kubeconfig', await joinKubeProxy(server.url, server.joinToken));
}
