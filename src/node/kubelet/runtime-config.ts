// How a Pod becomes CRI configs, as upstream's kuberuntime manager does it: the labels that tie sandboxes and
// containers back to their pod (io.kubernetes.pod.{name,namespace,uid}, io.kubernetes.container.name) — which is
// what lets a restarted kubelet re-adopt what is running — the annotations it reads back (restart count,
// termination grace), the sandbox config (hostname, DNS, host ports, namespaces) and the container config
// (command/args with $(VAR) expansion, env, working dir, resources as cgroup limits, security context basics).
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../api/validation/quantity.ts';
import type { ContainerConfig, KeyValue, LinuxContainerResources, Mount, PodSandboxConfig, PortMapping } from '../cri/types.ts';
import { type ResolvConf, podResolvConf } from '../dns/resolv-conf.ts';
import { expand } from './env.ts';

export const podNameLabel = 'io.kubernetes.pod.name';
export const podNamespaceLabel = 'io.kubernetes.pod.namespace';
export const podUidLabel = 'io.kubernetes.pod.uid';
export const containerNameLabel = 'io.kubernetes.container.name';
export const restartCountAnnotation = 'io.kubernetes.container.restartCount';
export const terminationGraceAnnotation = 'io.kubernetes.pod.terminationGracePeriod';

export interface DnsSettings {
  clusterDNS: string[];
  clusterDomain: string;
  /** The node's resolv.conf (--resolv-conf); undefined when there is none to pass on. */
  host?: ResolvConf;
}

export function podLabels(pod: Pod): Record<string, string> {
  return {
    [podNameLabel]: pod.metadata?.name ?? '',
    [podNamespaceLabel]: pod.metadata?.namespace ?? 'default',
    [podUidLabel]: pod.metadata?.uid ?? '',
  };
}

export function terminationGraceSeconds(pod: Pod): number {
  return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}

/** The sandbox's resolv.conf per dnsPolicy (podResolvConf) and the DNSConfigForming warnings forming it produced. */
export function podDns(pod: Pod, dns: DnsSettings): { dnsConfig: NonNullable<PodSandboxConfig['dnsConfig']>; warnings: string[] } {
  const { conf, warnings } = podResolvConf({
    namespace: pod.metadata?.namespace ?? 'default',
    dnsPolicy: pod.spec?.dnsPolicy,
    hostNetwork: pod.spec?.hostNetwork,
    dnsConfig: pod.spec?.dnsConfig,
    clusterDNS: dns.clusterDNS,
    clusterDomain: dns.clusterDomain,
    host: dns.host,
  });
  return { dnsConfig: { servers: conf.nameservers, searches: conf.searches, options: conf.options }, warnings };
}

function portMappings(pod: Pod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'], containerPort: p.containerPort, hostPort: p.hostPort, hostIp: p.hostIP ?? '' });
    }
  }
  return out;
}

export function sandboxConfig(pod: Pod, attempt: number, logDirectory: string, dns: DnsSettings): PodSandboxConfig {
  const hostNetwork = pod.spec?.hostNetwork === true;
  const sc = pod.spec?.securityContext;
  // With the node's network (and so its UTS namespace) the runtime cannot set a hostname: it must be empty.
  const hostname = hostNetwork ? '' : (pod.spec?.hostname ?? pod.metadata?.name ?? '').slice(0, 63);
  return {
    metadata: { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '', namespace: pod.metadata?.namespace ?? 'default', attempt },
    hostname,
    logDirectory,
    dnsConfig: podDns(pod, dns).dnsConfig,
    portMappings: portMappings(pod),
    labels: { ...(pod.metadata?.labels ?? {}), ...podLabels(pod) },
    annotations: { ...(pod.metadata?.annotations ?? {}) },
    linux: {
      securityContext: {
        namespaceOptions: {
          network: hostNetwork ? 'NODE' : 'POD',
          pid: pod.spec?.hostPID ? 'NODE' : pod.spec?.shareProcessNamespace ? 'POD' : 'CONTAINER',
          ipc: pod.spec?.hostIPC ? 'NODE' : 'POD',
        },
        ...(sc?.runAsUser !== undefined ? { runAsUser: { value: sc.runAsUser } } : {}),
        ...(sc?.runAsGroup !== undefined ? { runAsGroup: { value: sc.runAsGroup } } : {}),
        supplementalGroups: sc?.supplementalGroups ?? [],
        privileged: (pod.spec?.containers ?? []).some((c) => c.securityContext?.privileged),
      },
    },
  };
}

const cpuPeriod = 100_000;

/** Limits and requests as cgroup settings: cpu shares from requests, CFS quota and memory limit from limits. */
export function linuxResources(c: Container): LinuxContainerResources {
  const milli = (q: unknown): number | undefined => {
    const n = q === undefined ? undefined : parseQuantity(String(q));
    return n === undefined ? undefined : Number(n / 1_000_000n);
  };
  const bytes = (q: unknown): number | undefined => {
    const n = q === undefined ? undefined : parseQuantity(String(q));
    return n === undefined ? undefined : Number(n / 1_000_000_000n);
  };
  const reqCpu = milli(c.resources?.requests?.cpu) ?? milli(c.resources?.limits?.cpu);
  const limCpu = milli(c.resources?.limits?.cpu);
  const limMem = bytes(c.resources?.limits?.memory);
  const r: LinuxContainerResources = { cpuShares: reqCpu === undefined ? 2 : Math.max(2, Math.floor((reqCpu * 1024) / 1000)) };
  if (limCpu !== undefined) {
    r.cpuPeriod = cpuPeriod;
    r.cpuQuota = Math.max(1000, Math.floor((limCpu * cpuPeriod) / 1000));
  }
  if (limMem !== undefined) r.memoryLimitInBytes = limMem;
  return r;
}

export function containerConfig(pod: Pod, c: Container, image: string, restartCount: number, env: KeyValue[], mounts: Mount[] = []): ContainerConfig {
  const vars = new Map(env.map((e) => [e.key, e.value]));
  const sc = c.securityContext;
  const podSc = pod.spec?.securityContext;
  const runAsUser = sc?.runAsUser ?? podSc?.runAsUser;
  const runAsGroup = sc?.runAsGroup ?? podSc?.runAsGroup;
  return {
    metadata: { name: c.name, attempt: restartCount },
    image: { image, userSpecifiedImage: c.image ?? '' },
    command: (c.command ?? []).map((s) => expand(s, vars)),
    args: (c.args ?? []).map((s) => expand(s, vars)),
    workingDir: c.workingDir ?? '',
    envs: env,
    mounts,
    labels: { ...podLabels(pod), [containerNameLabel]: c.name },
    annotations: {
      [restartCountAnnotation]: String(restartCount),
      [terminationGraceAnnotation]: String(pod.spec?.terminationGracePeriodSeconds ?? 30),
    },
    logPath: `${c.name}/${restartCount}.log`,
    stdin: c.stdin ?? false,
    stdinOnce: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: {
      resources: linuxResources(c),
      securityContext: {
        privileged: sc?.privileged ?? false,
        readonlyRootfs: sc?.readOnlyRootFilesystem ?? false,
        ...(runAsUser !== undefined ? { runAsUser: { value: runAsUser } } : {}),
        ...(runAsGroup !== undefined ? { runAsGroup: { value: runAsGroup } } : {}),
        ...(sc?.capabilities ? { capabilities: { addCapabilities: sc.capabilities.add ?? [], dropCapabilities: sc.capabilities.drop ?? [] } } : {}),
        noNewPrivs: sc?.allowPrivilegeEscalation === false,
        namespaceOptions: {
          network: pod.spec?.hostNetwork ? 'NODE' : 'POD',
          pid: pod.spec?.hostPID ? 'NODE' : pod.spec?.shareProcessNamespace ? 'POD' : 'CONTAINER',
          ipc: pod.spec?.hostIPC ? 'NODE' : 'POD',
        },
      },
    },
  };
}
