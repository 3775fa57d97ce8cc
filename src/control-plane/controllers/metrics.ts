// The controller-manager's Prometheus metrics, in a registry of its own (the controller-manager is an API client
// and may run in a process of its own; whoever serves /metrics for it exposes `controllerManagerRegistry`).
// running_managed_controllers is upstream's (k8s.io/controller-manager); the restart counter is Skiff's, since
// upstream exits instead of restarting a failed controller.
import { Counter, Gauge, Registry } from 'prom-client';

export const controllerManagerRegistry = new Registry();

export const runningManagedControllers = new Gauge({
  name: 'running_managed_controllers',
  help: 'Indicates where instances of a controller are currently running',
  labelNames: ['manager', 'name'],
  registers: [controllerManagerRegistry],
});

export const controllerRestarts = new Counter({
  name: 'skiff_controller_restarts_total',
  help: 'Times a controller stopped on its own (threw, or returned while the manager ran) and was restarted.',
  labelNames: ['controller'],
  registers: [controllerManagerRegistry],
});

/** upstream pod_gc_collector metrics (pkg/controller/podgc/metrics): force deletions by namespace and reason. */
export const podGcDeletes = new Counter({
  name: 'pod_gc_collector_force_delete_pods_total',
  help: 'Number of pods that are being forcefully deleted since the Pod GC Controller started.',
  labelNames: ['namespace', 'reason'],
  registers: [controllerManagerRegistry],
});

export const podGcDeleteErrors = new Counter({
  name: 'pod_gc_collector_force_delete_pod_errors_total',
  help: 'Number of errors encountered when forcefully deleting the pods since the Pod GC Controller started.',
  labelNames: ['namespace', 'reason'],
  registers: [controllerManagerRegistry],
});
