// Prometheus metrics with upstream's names and labels, so dashboards written for kube-apiserver read Skiff.
// One registry per process (several servers in one test process share it).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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

export const watchMetrics = {
  open(group: string, version: string, kind: string, resource: string): { close(): void } {
    registeredWatchers.inc({ group, version, kind });
    longRunning.inc({ verb: 'WATCH', group, version, resource, scope: 'resource', component: 'apiserver' });
    let closed = false;
    return {
      close() {
        if (closed) return;
        closed = true;
        registeredWatchers.dec({ group, version, kind });
        longRunning.dec({ verb: 'WATCH', group, version, resource, scope: 'resource', component: 'apiserver' });
      },
    };
  },
};
