// Service validation (upstream ValidateService / ValidateServiceUpdate): DNS-1035 names, ports (required unless
// headless or ExternalName, names unique when more than one), type / affinity / traffic policy values, cluster IPs,
// and on update a primary cluster IP that may not change. NodePort ranges are the allocator's concern.
import { isIP } from 'node:net';
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { fieldErrors, type FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import type { Validator } from '../strategy.ts';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum, nameIsDNS1035Label } from './names.ts';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.ts';

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const affinities = ['ClientIP', 'None'];
const protocols = ['SCTP', 'TCP', 'UDP'];
const trafficPolicies = ['Cluster', 'Local'];
const ipFamilyPolicies = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const kubeletPort = 10250;

const asSvc = (o: KubeObject): Service => o as unknown as Service;
const isHeadless = (s: Service): boolean => s.spec?.clusterIP === 'None';

function validatePort(sp: ServicePort, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !sp.name) errs.push(fieldErrors.required(`${path}.name`));
  else if (sp.name) {
    for (const m of isDNS1123Label(sp.name)) errs.push(fieldErrors.invalid(`${path}.name`, sp.name, m));
    if (names.has(sp.name)) errs.push(fieldErrors.duplicate(`${path}.name`, sp.name));
    names.add(sp.name);
  }
  for (const m of isValidPortNum(sp.port)) errs.push(fieldErrors.invalid(`${path}.port`, sp.port ?? 0, m));
  if (!sp.protocol) errs.push(fieldErrors.required(`${path}.protocol`));
  else if (!protocols.includes(sp.protocol)) errs.push(fieldErrors.notSupported(`${path}.protocol`, sp.protocol, protocols));
  const tp = sp.targetPort;
  if (typeof tp === 'number') {
    for (const m of isValidPortNum(tp)) errs.push(fieldErrors.invalid(`${path}.targetPort`, tp, m));
  } else if (typeof tp === 'string') {
    if (tp === '') errs.push(fieldErrors.required(`${path}.targetPort`));
    else for (const m of isValidPortName(tp)) errs.push(fieldErrors.invalid(`${path}.targetPort`, tp, m));
  }
  return errs;
}

function validateService(obj: KubeObject): FieldError[] {
  const svc = asSvc(obj);
  const spec = svc.spec ?? {};
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label);
  const ports = spec.ports ?? [];
  const type = spec.type ?? '';
  if (ports.length === 0 && !isHeadless(svc) && type !== 'ExternalName') errs.push(fieldErrors.required('spec.ports'));
  const clusterIPs = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
  switch (type) {
    case 'LoadBalancer':
      if (isHeadless(svc)) errs.push(fieldErrors.invalid('spec.clusterIPs[0]', clusterIPs[0] ?? 'None', "may not be set to 'None' for LoadBalancer services"));
      ports.forEach((p, i) => {
        if (p.port === kubeletPort) errs.push(fieldErrors.invalid(`spec.ports[${i}]`, p.port, `may not expose port ${kubeletPort} externally since it is used by kubelet`));
      });
      break;
    case 'NodePort':
      if (isHeadless(svc)) errs.push(fieldErrors.invalid('spec.clusterIPs[0]', clusterIPs[0] ?? 'None', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if (spec.clusterIPs?.length || spec.clusterIP) errs.push(fieldErrors.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if (spec.ipFamilies?.length) errs.push(fieldErrors.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy) errs.push(fieldErrors.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      const cname = (spec.externalName ?? '').replace(/\.$/, '');
      if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(fieldErrors.invalid('spec.externalName', cname, m));
      else errs.push(fieldErrors.required('spec.externalName'));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validatePort(p, ports.length > 1, names, `spec.ports[${i}]`)));
  if (!type) errs.push(fieldErrors.required('spec.type'));
  else if (!serviceTypes.includes(type)) errs.push(fieldErrors.notSupported('spec.type', type, serviceTypes));
  if (!spec.sessionAffinity) errs.push(fieldErrors.required('spec.sessionAffinity'));
  else if (!affinities.includes(spec.sessionAffinity)) errs.push(fieldErrors.notSupported('spec.sessionAffinity', spec.sessionAffinity, affinities));
  if (spec.sessionAffinity === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (typeof t === 'number' && (t <= 0 || t > 86400)) {
      errs.push(fieldErrors.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, 'must be greater than 0 and less than 86400'));
    }
  } else if (spec.sessionAffinityConfig) {
    errs.push(fieldErrors.invalid('spec.sessionAffinityConfig', spec.sessionAffinityConfig, `must not be set when session affinity is ${spec.sessionAffinity}`));
  }
  // Cluster IPs: "None" is allowed as the only entry, anything else must parse.
  clusterIPs.forEach((ip, i) => {
    if (ip === 'None' && i === 0) return;
    if (ip === '' && i === 0) return;
    if (!isIP(ip)) errs.push(fieldErrors.invalid(`spec.clusterIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  if (spec.clusterIP && spec.clusterIPs?.length && spec.clusterIPs[0] !== spec.clusterIP) {
    errs.push(fieldErrors.invalid('spec.clusterIPs', spec.clusterIPs, 'first value must match `clusterIP`'));
  }
  if (spec.ipFamilyPolicy && !ipFamilyPolicies.includes(spec.ipFamilyPolicy)) {
    errs.push(fieldErrors.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, ipFamilyPolicies));
  }
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(fieldErrors.notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
  });
  // nodePorts: only for NodePort/LoadBalancer, unique per protocol; the range is the allocator's to check.
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    if (type === 'ClusterIP') errs.push(fieldErrors.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    for (const m of isValidPortNum(p.nodePort)) errs.push(fieldErrors.invalid(`spec.ports[${i}].nodePort`, p.nodePort, m));
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(fieldErrors.duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
    nodePorts.add(key);
  });
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (seen.has(key)) errs.push(fieldErrors.duplicate(`spec.ports[${i}]`, { port: p.port, protocol: p.protocol }));
    seen.add(key);
  });
  const external = type === 'NodePort' || type === 'LoadBalancer' || (spec.externalIPs?.length ?? 0) > 0;
  if (!external && spec.externalTrafficPolicy) {
    errs.push(fieldErrors.invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (external) {
    if (!spec.externalTrafficPolicy) errs.push(fieldErrors.required('spec.externalTrafficPolicy'));
    else if (!trafficPolicies.includes(spec.externalTrafficPolicy)) errs.push(fieldErrors.notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, trafficPolicies));
  }
  if (spec.internalTrafficPolicy && !trafficPolicies.includes(spec.internalTrafficPolicy)) {
    errs.push(fieldErrors.notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, trafficPolicies));
  } else if (!spec.internalTrafficPolicy && (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer')) {
    errs.push(fieldErrors.required('spec.internalTrafficPolicy'));
  }
  (spec.externalIPs ?? []).forEach((ip, i) => {
    if (!isIP(ip)) errs.push(fieldErrors.invalid(`spec.externalIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  });
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  return errs;
}

/** Primary cluster IP may not change once set (unless the service is or becomes ExternalName). */
function validateClusterIPUpdate(svc: Service, old: Service): FieldError[] {
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return [];
  const oldIPs = old.spec?.clusterIPs ?? (old.spec?.clusterIP ? [old.spec.clusterIP] : []);
  const newIPs = svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []);
  // An omitted clusterIP is filled from the old object by the registry before storing; only a different one is wrong.
  if (oldIPs.length === 0 || newIPs.length === 0) return [];
  return oldIPs[0] !== newIPs[0] ? [fieldErrors.invalid('spec.clusterIPs[0]', newIPs, 'may not change once set')] : [];
}

export const serviceValidator: Validator = {
  create: validateService,
  update: (obj, old) => [
    ...validateObjectMetaUpdate(obj.metadata, old.metadata),
    ...validateService(obj).filter((e) => !e.field.startsWith('metadata.')),
    ...validateClusterIPUpdate(asSvc(obj), asSvc(old)),
  ],
  updateStatus: (obj, old) => validateObjectMetaUpdate(obj.metadata, old.metadata),
};
