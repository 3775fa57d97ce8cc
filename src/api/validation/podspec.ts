// PodSpec validation shared by Pods and pod templates (upstream pkg/apis/core/validation ValidatePodSpec and the
// container, port, probe, volume, toleration and resource checks it calls), with upstream's messages and paths.
import type { Container, ContainerPort, PodSpec, Probe, ResourceRequirements, Toleration, Volume } from 'kubernetes-types/core/v1.js';
import { fieldErrors, type FieldError } from '../errors.ts';
import { validateLabels } from './objectmeta.ts';
import {
  inclusiveRangeError, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortName, isValidPortNum, isLabelValue,
} from './names.ts';
import { compareQuantities, parseQuantity, quantityFormatMsg } from './quantity.ts';

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const terminationMessagePolicies = ['File', 'FallbackToLogsOnError'];
const protocols = ['SCTP', 'TCP', 'UDP'];
const tolerationOperators = ['Equal', 'Exists'];
const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const volumeSources = ['hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs',
  'iscsi', 'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume',
  'scaleIO', 'storageos', 'csi', 'ephemeral', 'image'];
const overcommittable = (name: string): boolean => !name.startsWith('hugepages-') && (name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || !name.includes('/') || name.startsWith('kubernetes.io/'));

const empty = (v: unknown): boolean => v === undefined || v === null || v === '';

function validateEnum(v: string | undefined | null, allowed: string[], path: string): FieldError[] {
  if (empty(v)) return [fieldErrors.required(path)];
  return allowed.includes(v as string) ? [] : [fieldErrors.notSupported(path, v, allowed)];
}

function validateVolumes(volumes: Volume[], path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const p = `${path}[${i}]`;
    if (empty(v.name)) errs.push(fieldErrors.required(`${p}.name`));
    else {
      for (const m of isDNS1123Label(v.name)) errs.push(fieldErrors.invalid(`${p}.name`, v.name, m));
      if (names.has(v.name)) errs.push(fieldErrors.duplicate(`${p}.name`, v.name));
      names.add(v.name);
    }
    const rec = v as unknown as Record<string, unknown>;
    const set = volumeSources.filter((s) => rec[s] !== undefined && rec[s] !== null);
    if (set.length === 0) errs.push(fieldErrors.required(p, 'must specify a volume type'));
    else if (set.length > 1) errs.push(fieldErrors.forbidden(`${p}.${set[1]}`, 'may not specify more than 1 volume type'));
    if (v.configMap && empty(v.configMap.name)) errs.push(fieldErrors.required(`${p}.configMap.name`));
    if (v.secret && empty(v.secret.secretName)) errs.push(fieldErrors.required(`${p}.secret.secretName`));
    if (v.hostPath && empty(v.hostPath.path)) errs.push(fieldErrors.required(`${p}.hostPath.path`));
    if (v.persistentVolumeClaim && empty(v.persistentVolumeClaim.claimName)) errs.push(fieldErrors.required(`${p}.persistentVolumeClaim.claimName`));
  });
  return { errs, names };
}

function validatePorts(ports: ContainerPort[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `${path}[${i}]`;
    if (!empty(port.name)) {
      const name = port.name as string;
      for (const m of isValidPortName(name)) errs.push(fieldErrors.invalid(`${p}.name`, name, m));
      if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
      names.add(name);
    }
    if (port.containerPort === 0 || port.containerPort === undefined || port.containerPort === null) {
      errs.push(fieldErrors.required(`${p}.containerPort`));
    } else {
      for (const m of isValidPortNum(port.containerPort)) errs.push(fieldErrors.invalid(`${p}.containerPort`, port.containerPort, m));
    }
    if (port.hostPort) for (const m of isValidPortNum(port.hostPort)) errs.push(fieldErrors.invalid(`${p}.hostPort`, port.hostPort, m));
    errs.push(...validateEnum(port.protocol, protocols, `${p}.protocol`));
  });
  return errs;
}

function validateResources(r: ResourceRequirements | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!r) return errs;
  const check = (list: Record<string, unknown> | undefined, p: string): void => {
    for (const [name, q] of Object.entries(list ?? {})) {
      const n = parseQuantity(q as string);
      if (n === undefined) errs.push(fieldErrors.invalid(`${p}[${name}]`, q, quantityFormatMsg));
      else if (n < 0n) errs.push(fieldErrors.invalid(`${p}[${name}]`, String(q), 'must be greater than or equal to 0'));
    }
  };
  check(r.limits, `${path}.limits`);
  check(r.requests, `${path}.requests`);
  for (const [name, q] of Object.entries(r.requests ?? {})) {
    const lim = r.limits?.[name];
    if (lim === undefined) continue;
    const cmp = compareQuantities(q, lim);
    if (cmp === undefined) continue;
    if (cmp !== 0 && !overcommittable(name)) {
      errs.push(fieldErrors.invalid(`${path}.requests`, String(q), `must be equal to ${name} limit of ${String(lim)}`));
    } else if (cmp > 0) {
      errs.push(fieldErrors.invalid(`${path}.requests`, String(q), `must be less than or equal to ${name} limit of ${String(lim)}`));
    }
  }
  return errs;
}

function validateProbe(probe: Probe | undefined, path: string, liveness: boolean): FieldError[] {
  if (!probe) return [];
  const errs: FieldError[] = [];
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => (probe as Record<string, unknown>)[h] != null);
  if (handlers.length === 0) errs.push(fieldErrors.required(path, 'must specify a handler type'));
  else if (handlers.length > 1) errs.push(fieldErrors.forbidden(`${path}.${handlers[1]}`, 'may not specify more than 1 handler type'));
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    const v = probe[f];
    if (typeof v === 'number' && v < 0) errs.push(fieldErrors.invalid(`${path}.${f}`, v, 'must be greater than or equal to 0'));
  }
  if (liveness && typeof probe.successThreshold === 'number' && probe.successThreshold !== 1) {
    errs.push(fieldErrors.invalid(`${path}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  const portPath = `${path}.${probe.httpGet ? 'httpGet' : 'tcpSocket'}.port`;
  if (port !== undefined && port !== null) {
    if (typeof port === 'number') for (const m of isValidPortNum(port)) errs.push(fieldErrors.invalid(portPath, port, m));
    else for (const m of isValidPortName(port)) errs.push(fieldErrors.invalid(portPath, port, m));
  }
  return errs;
}

function validateContainer(c: Container, path: string, volumes: Set<string>, isInit: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const image = c.image ?? '';
  if (image === '') errs.push(fieldErrors.required(`${path}.image`));
  else if (image !== image.trim()) errs.push(fieldErrors.invalid(`${path}.image`, c.image, 'must not have leading or trailing whitespace'));
  errs.push(...validateEnum(c.imagePullPolicy, pullPolicies, `${path}.imagePullPolicy`));
  errs.push(...validateEnum(c.terminationMessagePolicy, terminationMessagePolicies, `${path}.terminationMessagePolicy`));
  errs.push(...validatePorts(c.ports ?? [], `${path}.ports`));
  (c.env ?? []).forEach((e, i) => {
    const p = `${path}.env[${i}]`;
    if (empty(e.name)) errs.push(fieldErrors.required(`${p}.name`));
    else if (!/^[\x20-\x7e]+$/.test(e.name) || e.name.includes('=')) {
      errs.push(fieldErrors.invalid(`${p}.name`, e.name, "a valid environment variable name must consist only of printable ASCII characters other than '='"));
    }
    if (e.valueFrom && !empty(e.value)) errs.push(fieldErrors.invalid(`${p}.valueFrom`, '', 'may not be specified when `value` is not empty'));
  });
  (c.volumeMounts ?? []).forEach((m, i) => {
    const p = `${path}.volumeMounts[${i}]`;
    if (empty(m.name)) errs.push(fieldErrors.required(`${p}.name`));
    else if (!volumes.has(m.name)) errs.push({ type: 'FieldValueInvalid', field: `${p}.name`, value: m.name, detail: 'Not found' });
    if (empty(m.mountPath)) errs.push(fieldErrors.required(`${p}.mountPath`));
  });
  errs.push(...validateResources(c.resources, `${path}.resources`));
  if (isInit && c.restartPolicy !== 'Always') {
    for (const f of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (c[f]) errs.push(fieldErrors.forbidden(`${path}.${f}`, `may not be set for init containers without restartPolicy=Always`));
    }
  } else {
    errs.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`, true));
    errs.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`, false));
    errs.push(...validateProbe(c.startupProbe, `${path}.startupProbe`, true));
  }
  return errs;
}

function validateContainerList(list: Container[], path: string, volumes: Set<string>, names: Set<string>, isInit: boolean): FieldError[] {
  const errs: FieldError[] = [];
  list.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (empty(c.name)) errs.push(fieldErrors.required(`${p}.name`));
    else {
      for (const m of isDNS1123Label(c.name)) errs.push(fieldErrors.invalid(`${p}.name`, c.name, m));
      if (names.has(c.name)) errs.push(fieldErrors.duplicate(`${p}.name`, c.name));
      names.add(c.name);
    }
    errs.push(...validateContainer(c, p, volumes, isInit));
  });
  return errs;
}

export function validateTolerations(tolerations: Toleration[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  tolerations.forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (!empty(t.key)) for (const m of isQualifiedName(t.key as string)) errs.push(fieldErrors.invalid(`${p}.key`, t.key, m));
    if (empty(t.key) && t.operator !== 'Exists') {
      errs.push(fieldErrors.invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(fieldErrors.invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case '': case 'Equal':
        for (const m of isLabelValue(t.value ?? '')) errs.push(fieldErrors.invalid(`${p}.operator`, t.value, m));
        break;
      case 'Exists':
        if (!empty(t.value)) errs.push(fieldErrors.invalid(`${p}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(fieldErrors.notSupported(`${p}.operator`, t.operator, tolerationOperators));
    }
    if (!empty(t.effect) && !taintEffects.includes(t.effect as string)) errs.push(fieldErrors.notSupported(`${p}.effect`, t.effect, taintEffects));
  });
  return errs;
}

/** ValidatePodSpec: `path` is "spec" for a Pod, "spec.template.spec" for a template. */
export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  const s = spec ?? ({} as PodSpec);
  const errs: FieldError[] = [];
  const vol = validateVolumes(s.volumes ?? [], `${path}.volumes`);
  errs.push(...vol.errs);
  const names = new Set<string>();
  if (!s.containers || s.containers.length === 0) errs.push(fieldErrors.required(`${path}.containers`));
  errs.push(...validateContainerList(s.initContainers ?? [], `${path}.initContainers`, vol.names, names, true));
  errs.push(...validateContainerList(s.containers ?? [], `${path}.containers`, vol.names, names, false));
  errs.push(...validateEnum(s.restartPolicy, restartPolicies, `${path}.restartPolicy`));
  errs.push(...validateEnum(s.dnsPolicy, dnsPolicies, `${path}.dnsPolicy`));
  if (s.dnsPolicy === 'None' && !s.dnsConfig) {
    errs.push(fieldErrors.required(`${path}.dnsConfig`, `must provide \`dnsConfig\` when \`dnsPolicy\` is None`));
  }
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  if (!empty(s.serviceAccountName)) for (const m of isDNS1123Subdomain(s.serviceAccountName as string)) errs.push(fieldErrors.invalid(`${path}.serviceAccountName`, s.serviceAccountName, m));
  if (!empty(s.nodeName)) for (const m of isDNS1123Subdomain(s.nodeName as string)) errs.push(fieldErrors.invalid(`${path}.nodeName`, s.nodeName, m));
  if (!empty(s.hostname)) for (const m of isDNS1123Label(s.hostname as string)) errs.push(fieldErrors.invalid(`${path}.hostname`, s.hostname, m));
  if (!empty(s.subdomain)) for (const m of isDNS1123Label(s.subdomain as string)) errs.push(fieldErrors.invalid(`${path}.subdomain`, s.subdomain, m));
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (v < 1 || v > 2147483647) errs.push(fieldErrors.invalid(`${path}.activeDeadlineSeconds`, v, inclusiveRangeError(1, 2147483647)));
  }
  errs.push(...validateTolerations(s.tolerations ?? [], `${path}.tolerations`));
  return errs;
}
