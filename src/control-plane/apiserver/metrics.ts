// Prometheus metrics with upstream's names and labels, so dashboards written for kube-apiserver read Skiff.
// One registry per process (several servers in one test process share it).
// Failure policy: recording a request's metrics happens inside that request (server.ts calls recordRequest just
// before the response head goes out), so a throw there becomes that request's 500. Bookkeeping that runs when no
// request can take the blame (a watch gauge decremented while its stream is torn down) never throws: it logs.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestInfo } from './request-info.ts';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const requestLabels = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;

export const requestTotal = new Counter({
  name: 'apiserver_request_total',
  help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
  labelNames: [...requestLabels, 'code', 'dry_run'],
  registers: [registry],
});

export const requestDuration = new Histogram({
  name: 'apiserver_request_duration_seconds',
  help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
  labelNames: [...requestLabels, 'dry_run'],
  buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
  registers: [registry],
});

// upstream's stream translator and tunnel counters (k8s.io/apiserver/pkg/util/proxy/metrics), by the status code
// each request ended with: they show which exec/attach/port-forward requests took the WebSocket path.
export const streamTranslatorRequests = new Counter({
  name: 'apiserver_stream_translator_requests_total',
  help: 'Total number of requests that were handled by the StreamTranslatorProxy, which processes streaming RemoteCommand/V5',
  labelNames: ['code'],
  registers: [registry],
});

export const streamTunnelRequests = new Counter({
  name: 'apiserver_stream_tunnel_requests_total',
  help: 'Total number of requests that were handled by the StreamTunnelProxy, which processes streaming PortForward/V2',
  labelNames: ['code'],
  registers: [registry],
});

export const droppedRequests = new Counter({
  name: 'apiserver_dropped_requests_total',
  help: 'Number of requests dropped with \'Try again later\' response',
  labelNames: ['request_kind'],
  registers: [registry],
});

export const storageObjects = new Gauge({
  name: 'apiserver_storage_objects',
  help: 'Number of stored objects at the time of last check split by kind.',
  labelNames: ['resource'],
  registers: [registry],
});

const registeredWatchers = new Gauge({
  name: 'apiserver_registered_watchers',
  help: 'Number of currently registered watchers for a given resources',
  labelNames: ['group', 'version', 'kind'],
  registers: [registry],
});

const longRunning = new Gauge({
  name: 'apiserver_longrunning_requests',
  help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.',
  labelNames: ['verb', 'group', 'version', 'resource', 'scope', 'component'],
  registers: [registry],
});

export const watchEventsTotal = new Counter({
  name: 'apiserver_watch_events_total',
  help: 'Number of events sent in watch clients',
  labelNames: ['group', 'version', 'kind'],
  registers: [registry],
});

/**
 * A label set without a prototype: prom-client walks labels with for…in, so a key added to Object.prototype
 * (prototype pollution) would otherwise appear as an unknown label on every metric and make each call throw.
 */
export function labelSet<T extends Record<string, string>>(labels: T): T {
  return Object.assign(Object.create(null) as T, labels);
}

export interface RequestRecord {
  method: string;
  info: RequestInfo | undefined;
  code: number;
  seconds: number;
  dryRun: string;
}

/** Counts one request (and its latency, except for watches) under upstream's labels. May throw: see above. */
export function recordRequest(r: RequestRecord): void {
  let labels: Record<string, string>;
  const info = r.info;
  if (info?.kind === 'resource') {
    const verb = info.verb === 'watch' ? 'WATCH' : info.verb === 'list' ? 'LIST' : info.verb === 'deletecollection' ? 'DELETE' : r.method;
    const scope = info.name ? 'resource' : info.namespace ? 'namespace' : 'cluster';
    labels = { verb, group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, scope, component: 'apiserver' };
  } else {
    labels = { verb: r.method, group: '', version: '', resource: '', subresource: '', scope: '', component: 'apiserver' };
  }
  requestTotal.inc(labelSet({ ...labels, code: String(r.code), dry_run: r.dryRun }));
  if (labels.verb !== 'WATCH') requestDuration.observe(labelSet({ ...labels, dry_run: r.dryRun }), r.seconds);
}

let loggedBookkeeping = false;

/** Runs metric bookkeeping that no request can answer for; a failure is logged (once) and swallowed. */
function bookkeeping(what: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (loggedBookkeeping) return;
    loggedBookkeeping = true;
    console.error(`apiserver: metrics: ${what} failed (further failures not logged):`, e);
  }
}

export const watchMetrics = {
  /** Registers an open watch; throws (inside the watch request, before its head is sent) if metrics are broken. */
  open(group: string, version: string, kind: string, resource: string): { close(): void } {
    registeredWatchers.inc(labelSet({ group, version, kind }));
    try {
      longRunning.inc(labelSet({ verb: 'WATCH', group, version, resource, scope: 'resource', component: 'apiserver' }));
    } catch (e) {
      bookkeeping('watch gauge', () => registeredWatchers.dec(labelSet({ group, version, kind })));
      throw e;
    }
    let closed = false;
    return {
      close() {
        if (closed) return;
        closed = true;
        bookkeeping('watch gauge', () => {
          registeredWatchers.dec(labelSet({ group, version, kind }));
          longRunning.dec(labelSet({ verb: 'WATCH', group, version, resource, scope: 'resource', component: 'apiserver' }));
        });
      },
    };
  },
};

/** Counts a delivered watch event; a watch stream must not end because a counter misbehaves. */
export function countWatchEvent(group: string, version: string, kind: string): void {
  bookkeeping('watch event counter', () => watchEventsTotal.inc(labelSet({ group, version, kind })));
}
