// A container's environment as upstream's kubelet makes it: envFrom sources first (configMapRef/secretRef with an
// optional prefix), then env entries overriding them, each value expanded against the variables defined before it
// ($(VAR), with $$ for a literal $), valueFrom resolved from the pod (fieldRef), its resources (resourceFieldRef),
// ConfigMaps and Secrets. A missing non-optional source is a ConfigError (CreateContainerConfigError upstream).
// Last come the Service variables (serviceEnv: KUBERNETES_SERVICE_HOST/PORT always, the namespace's Services with
// enableServiceLinks), where the container defines no variable of that name; $(VAR) may refer to them.
import type { ConfigMap, Container, EnvVar, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/validation/quantity.ts';
import type { KeyValue } from '../cri/types.ts';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface EnvSources {
  /** undefined when the object does not exist. */
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** Every Service in the cluster (the kubelet's informer); absent: no Service variables. */
  services?(): Service[];
}

/** The Services whose variables upstream's kubelet always gives a pod (in the default namespace). */
const masterServices = ['kubernetes'];

/** "my-svc" -> "MY_SVC", as upstream's envvars package names them. */
function envName(service: string): string {
  return service.toUpperCase().replaceAll('-', '_');
}

/**
 * The Service variables upstream's kubelet gives a container in namespace (getServiceEnvVarMap + envvars.FromServices):
 * for `kubernetes` in default always, and for every Service of the pod's namespace when enableServiceLinks (default
 * true), each with a cluster IP: NAME_SERVICE_HOST, NAME_SERVICE_PORT (first port), NAME_SERVICE_PORT_<PORTNAME>
 * for named ports, and the Docker link variables NAME_PORT, NAME_PORT_<n>_<PROTO>{,_PROTO,_PORT,_ADDR}.
 */
export function serviceEnv(services: readonly Service[], namespace: string, enableServiceLinks: boolean): Map<string, string> {
  const chosen = new Map<string, Service>();
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None' || !svc.spec?.ports?.length) continue;
    const name = svc.metadata?.name ?? '';
    if (svc.metadata?.namespace === 'default' && masterServices.includes(name)) {
      if (!chosen.has(name)) chosen.set(name, svc);
    } else if (svc.metadata?.namespace === namespace && enableServiceLinks) {
      chosen.set(name, svc);
    }
  }
  const out = new Map<string, string>();
  for (const [name, svc] of [...chosen].sort(([a], [b]) => a.localeCompare(b))) {
    const prefix = envName(name);
    const ip = svc.spec!.clusterIP!;
    const ports = svc.spec!.ports!;
    out.set(`${prefix}_SERVICE_HOST`, ip);
    out.set(`${prefix}_SERVICE_PORT`, String(ports[0]!.port));
    for (const p of ports) if (p.name) out.set(`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port));
    ports.forEach((p, i) => {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const url = `${proto}://${ip.includes(':') ? `[${ip}]` : ip}:${p.port}`;
      if (i === 0) out.set(`${prefix}_PORT`, url);
      const portPrefix = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.set(portPrefix, url);
      out.set(`${portPrefix}_PROTO`, proto);
      out.set(`${portPrefix}_PORT`, String(p.port));
      out.set(`${portPrefix}_ADDR`, ip);
    });
  }
  return out;
}

export interface PodRuntimeFacts {
  podIP: string;
  hostIP: string;
}

/** Expands $(VAR) references against vars; unknown references stay as written, $$ is a literal $. */
export function expand(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (all, name: string | undefined) => {
    if (all === '$$') return '$';
    return name !== undefined && vars.has(name) ? vars.get(name)! : all;
  });
}

export function fieldPathValue(pod: Pod, path: string, facts: PodRuntimeFacts): string {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]] ?? '';
  switch (path) {
    case 'metadata.name': return pod.metadata?.name ?? '';
    case 'metadata.namespace': return pod.metadata?.namespace ?? '';
    case 'metadata.uid': return pod.metadata?.uid ?? '';
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': case 'status.hostIPs': return facts.hostIP;
    case 'status.podIP': case 'status.podIPs': return facts.podIP;
    default: throw new ConfigError(`unsupported fieldRef fieldPath ${path}`);
  }
}

function resourceValue(container: Container, resource: string, divisor?: string): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const q = container.resources?.[kind]?.[name];
  if (q === undefined) return '0';
  const nano = parseQuantity(String(q)) ?? 0n;
  const div = parseQuantity(divisor ?? '1') || 1_000_000_000n;
  // upstream rounds up to whole divisor units
  return String((nano + div - 1n) / div);
}

async function valueFrom(pod: Pod, container: Container, v: EnvVar, src: EnvSources, facts: PodRuntimeFacts): Promise<string | undefined> {
  const ns = pod.metadata?.namespace ?? 'default';
  const vf = v.valueFrom!;
  if (vf.fieldRef) return fieldPathValue(pod, vf.fieldRef.fieldPath, facts);
  if (vf.resourceFieldRef) return resourceValue(container, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor as string | undefined);
  if (vf.configMapKeyRef) {
    const { name = '', key, optional } = vf.configMapKeyRef;
    const cm = await src.configMap(ns, name);
    if (!cm) return optional ? undefined : configError(`configmap "${name}" not found`);
    const value = cm.data?.[key];
    if (value === undefined) return optional ? undefined : configError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
    return value;
  }
  if (vf.secretKeyRef) {
    const { name = '', key, optional } = vf.secretKeyRef;
    const s = await src.secret(ns, name);
    if (!s) return optional ? undefined : configError(`secret "${name}" not found`);
    const value = s.data?.[key];
    if (value === undefined) return optional ? undefined : configError(`couldn't find key ${key} in Secret ${ns}/${name}`);
    return Buffer.from(value, 'base64').toString('utf8');
  }
  return undefined;
}

function configError(message: string): never {
  throw new ConfigError(message);
}

export async function containerEnv(pod: Pod, container: Container, src: EnvSources, facts: PodRuntimeFacts): Promise<KeyValue[]> {
  const ns = pod.metadata?.namespace ?? 'default';
  const vars = new Map<string, string>();
  const services = src.services ? serviceEnv(src.services(), ns, pod.spec?.enableServiceLinks ?? true) : new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await src.configMap(ns, from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        configError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) vars.set(prefix + k, v);
    }
    if (from.secretRef) {
      const s = await src.secret(ns, from.secretRef.name ?? '');
      if (!s) {
        if (from.secretRef.optional) continue;
        configError(`secret "${from.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(s.data ?? {})) vars.set(prefix + k, Buffer.from(v, 'base64').toString('utf8'));
    }
  }
  for (const v of container.env ?? []) {
    if (v.valueFrom) {
      const value = await valueFrom(pod, container, v, src, { ...facts });
      if (value !== undefined) vars.set(v.name, value);
    } else {
      // upstream's mapping looks in the container's variables first, then in the Service variables
      vars.set(v.name, expand(v.value ?? '', new Map([...services, ...vars])));
    }
  }
  for (const [key, value] of services) if (!vars.has(key)) vars.set(key, value);
  return [...vars].map(([key, value]) => ({ key, value }));
}
