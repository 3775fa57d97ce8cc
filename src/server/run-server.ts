// `skiff server`: opens the store (embedded SQLite or etcd), makes or reuses the PKI, starts kube-apiserver,
// writes the kubeconfig and bootstraps the system objects. Returns a handle whose stop() shuts down in order.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerConfig } from '../cli/server-flags.ts';
import { ApiServer } from '../control-plane/apiserver/server.ts';
import { TokenFile } from '../control-plane/apiserver/authn.ts';
import { bootstrap } from '../control-plane/apiserver/bootstrap.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { openEtcdStore } from '../store/etcd.ts';
import { withWatchCache } from '../store/watch-cache.ts';
import type { Store } from '../store/interface.ts';
import { componentKubeconfig, ensureCredentials, writeAdminKubeconfig, writeKubeconfigCopy } from './data-dir.ts';
import { RestClient } from '../client/rest.ts';
import { startScheduler } from '../control-plane/scheduler/index.ts';
import { startControllerManager } from '../control-plane/controllers/manager.ts';
import { firstAddress } from './cidr.ts';

/** How long the hosted scheduler and controller-manager get to stop before the API server stops under them. */
const componentStopGraceMs = 1_000;

export interface RunningServer {
  port: number;
  url: string;
  kubeconfig: string;
  token: string;
  stop(): Promise<void>;
}

export async function openStore(cfg: Pick<ServerConfig, 'dataDir' | 'datastoreEndpoint'>): Promise<Store> {
  const endpoint = cfg.datastoreEndpoint;
  if (!endpoint || endpoint.startsWith('sqlite://')) {
    const file = endpoint ? endpoint.slice('sqlite://'.length) : join(cfg.dataDir, 'server', 'db', 'state.db');
    mkdirSync(join(file, '..'), { recursive: true });
    return openSqliteStore(file);
  }
  if (/^https?:\/\//.test(endpoint)) {
    return openEtcdStore({ endpoints: endpoint.split(',').map((s) => s.trim()).filter(Boolean) });
  }
  throw new Error(`unsupported --datastore-endpoint ${endpoint}: use http(s)://host:2379 for etcd, or leave it empty for SQLite`);
}

export async function runServer(cfg: ServerConfig): Promise<RunningServer> {
  const store = withWatchCache(await openStore(cfg));
  const host = cfg.advertiseAddress;
  const creds = await ensureCredentials({
    dataDir: cfg.dataDir,
    sans: { dns: [], ips: [host, firstAddress(cfg.serviceCidr)].filter((a) => a !== '127.0.0.1') },
    token: cfg.token,
  });
  const server = new ApiServer({
    store,
    ca: creds.ca,
    serving: creds.serving,
    tokens: TokenFile.load(creds.tokenFile),
    bindAddress: cfg.bindAddress,
    port: cfg.httpsListenPort,
    serviceCidr: cfg.serviceCidr,
    maxRequestsInflight: cfg.maxRequestsInflight,
    maxMutatingRequestsInflight: cfg.maxMutatingRequestsInflight,
  });
  // A port of 0 (tests) is only known after listening, so the kubeconfig is written now.
  const port = await server.start();
  writeAdminKubeconfig(creds, `https://${host}:${port}`);
  await bootstrap(server, { kubernetesServiceIP: firstAddress(cfg.serviceCidr), advertiseAddress: host, securePort: port });
  if (cfg.writeKubeconfig) writeKubeconfigCopy(creds.adminKubeconfig, cfg.writeKubeconfig, cfg.writeKubeconfigMode);
  // Like k3s, the server hosts the scheduler and the controller-manager: API clients over loopback HTTPS with
  // their own identities, exactly as they would run in processes of their own.
  const components = new AbortController();
  // Over loopback to their own apiserver, client-side rate limits only slow the cluster down (binds, pod
  // creates): the hosted components run unthrottled.
  const running: Promise<unknown>[] = [];
  if (!cfg.disableScheduler) {
    const client = RestClient.fromKubeconfig(componentKubeconfig(creds, 'scheduler'), { userAgent: 'skiff-scheduler', qps: 0 });
    running.push(startScheduler({ client, signal: components.signal }).then((s) => s.done));
  }
  if (!cfg.disableControllerManager) {
    const client = RestClient.fromKubeconfig(componentKubeconfig(creds, 'controller-manager'), { userAgent: 'skiff-controller-manager', qps: 0 });
    running.push(startControllerManager({ client, signal: components.signal, options: { clusterCidr: cfg.clusterCidr, serviceCidr: cfg.serviceCidr } }).then((m) => m.done));
  }
  return {
    port,
    url: `https://${host}:${port}`,
    kubeconfig: creds.adminKubeconfig,
    token: creds.token,
    async stop() {
      components.abort();
      // Bounded, so Ctrl-C is prompt: what a component has not finished by then (say, a backlog of Events being
      // written) is dropped, as upstream's components drop their queued Events when they exit.
      await Promise.race([Promise.allSettled(running), new Promise((r) => setTimeout(r, componentStopGraceMs).unref())]);
      await server.stop();
    },
  };
}
