// `skiff server`: locks the data dir, opens the store (embedded SQLite or etcd), makes or reuses the PKI, starts
// kube-apiserver, writes the kubeconfigs, bootstraps the system objects and starts the hosted components (each in
// a worker thread, see hosted-component.ts). Returns a handle whose stop() shuts down in reverse order; a start
// that fails half-way undoes what it did.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ServerConfig } from '../cli/server-flags.ts';
import { ApiServer } from '../control-plane/apiserver/server.ts';
import { TokenFile } from '../control-plane/apiserver/authn.ts';
import { bootstrap } from '../control-plane/apiserver/bootstrap.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { openEtcdStore } from '../store/etcd.ts';
import { withWatchCache } from '../store/watch-cache.ts';
import type { Store } from '../store/interface.ts';
import { componentKubeconfig, ensureCredentials, writeAdminKubeconfig, writeKubeconfigCopy, type ServerCredentials } from './data-dir.ts';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { HostedComponent } from './hosted-component.ts';
import { siblingModule } from './hosted-main.ts';
import type { ControllerManagerMainOptions, SchedulerMainOptions } from './component-mains.ts';
import { firstAddress } from '../api/net/ipv4.ts';

/**
 * How long the hosted scheduler and controller-manager get to stop before they are killed and the API server stops
 * under them: bounded, so Ctrl-C is prompt. What a component has not finished by then (say, a backlog of Events
 * being written) is dropped, as upstream's components drop their queued Events when they exit.
 */
const componentStopGraceMs = 1_000;

export interface RunningServer {
  port: number;
  url: string;
  kubeconfig: string;
  token: string;
  /** The components hosted off the API server's event loop, by name. */
  hosted: ReadonlyMap<string, HostedComponent>;
  /** Stops the hosted components, then the API server (which closes the store), then frees the data dir. */
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

/** The components this server hosts, each an API client with its own kubeconfig, in a worker thread of its own. */
function hostedComponents(cfg: ServerConfig, creds: ServerCredentials): HostedComponent[] {
  const mains = siblingModule(import.meta.url, './component-mains');
  // one instance of each runs at a time (the supervisor starts the next after the last has exited), so restarts
  // may share the identity; a new server run gets a new one, as upstream's hostname_uuid
  const identity = `${hostname()}_${randomUUID()}`;
  const hosted: HostedComponent[] = [];
  if (!cfg.disableScheduler) {
    const options: SchedulerMainOptions = { kubeconfig: componentKubeconfig(creds, 'scheduler'), identity };
    hosted.push(new HostedComponent({ name: 'scheduler', module: mains, export: 'scheduler', options, stopTimeoutMs: componentStopGraceMs }));
  }
  if (!cfg.disableControllerManager) {
    const options: ControllerManagerMainOptions = {
      kubeconfig: componentKubeconfig(creds, 'controller-manager'),
      identity,
      clusterCidr: cfg.clusterCidr,
      serviceCidr: cfg.serviceCidr,
    };
    hosted.push(new HostedComponent({ name: 'controller-manager', module: mains, export: 'controllerManager', options, stopTimeoutMs: componentStopGraceMs }));
  }
  return hosted;
}

export interface RunServerOptions {
  /** The data dir's lock, when the caller took it already; released by stop(). */
  lock?: DataDirLock;
}

export async function runServer(cfg: ServerConfig, opts: RunServerOptions = {}): Promise<RunningServer> {
  // Before anything else touches the data dir: a second server on it is refused at once, naming the first.
  const lock = opts.lock ?? lockDataDir(cfg.dataDir);
  const undo: (() => Promise<void> | void)[] = [() => lock.release()];
  const unwind = async (): Promise<void> => {
    // every step runs even if one before it failed: the data dir must not stay locked by a failed stop
    const failures: unknown[] = [];
    for (const step of undo.splice(0).reverse()) await Promise.resolve().then(step).catch((err: unknown) => failures.push(err));
    if (failures.length) throw failures[0];
  };
  try {
    const store = withWatchCache(await openStore(cfg));
    undo.push(() => store.close());
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
      kubeletClient: creds.kubeletClient,
    });
    // A port of 0 (tests) is only known after listening, so the kubeconfig is written now.
    const port = await server.start();
    undo.pop(); // the server closes the store when it stops
    undo.push(() => server.stop());
    writeAdminKubeconfig(creds, `https://${host}:${port}`);
    await bootstrap(server, { kubernetesServiceIP: firstAddress(cfg.serviceCidr), advertiseAddress: host, securePort: port });
    if (cfg.writeKubeconfig) writeKubeconfigCopy(creds.adminKubeconfig, cfg.writeKubeconfig, cfg.writeKubeconfigMode);
    // Like k3s, the server hosts the scheduler and the controller-manager; unlike k3s's goroutines, each runs off
    // this event loop, which serves requests only.
    const hosted = hostedComponents(cfg, creds);
    undo.push(() => Promise.all(hosted.map((h) => h.stop())).then(() => undefined));
    await Promise.all(hosted.map((h) => h.start()));
    return {
      port,
      url: `https://${host}:${port}`,
      kubeconfig: creds.adminKubeconfig,
      token: creds.token,
      hosted: new Map(hosted.map((h) => [h.name, h])),
      stop: unwind,
    };
  } catch (err) {
    await unwind().catch(() => undefined); // the start's own error is the one to report
    throw err;
  }
}
