// The options of pods' connect subresources, decoded from the query as upstream's PodLogOptions, PodExecOptions,
// PodAttachOptions and PodPortForwardOptions, validated like upstream (the container defaulted to the only one,
// else a 400 naming the choices; PodLogOptions limits as a 422), and turned into the kubelet's URL — the path and
// parameter names upstream's LogLocation, ExecLocation, AttachLocation and PortForwardLocation use.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError, fieldErrors, type FieldError } from '../../api/errors.ts';

// Go's strconv.ParseBool, which upstream's query decoding uses (the Python client sends "True")
const trueWords = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const falseWords = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function truthy(v: string | null): boolean {
  if (v === null || v === '') return false;
  if (trueWords.has(v)) return true;
  if (falseWords.has(v)) return false;
  throw ApiError.badRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

function int(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^[-+]?\d+$/.test(v)) throw ApiError.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

/** upstream validateContainer: the named container must exist; unnamed, the pod must have exactly one. */
export function podContainer(pod: Pod, requested: string | null): string {
  const name = pod.metadata?.name ?? '';
  const spec = pod.spec;
  const all = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
  if (requested) {
    if (!all.includes(requested)) throw ApiError.badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const containers = spec?.containers ?? [];
  if (containers.length === 1) return containers[0]!.name;
  if (containers.length === 0) throw ApiError.badRequest(`the pod ${name} does not have any containers`);
  throw ApiError.badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
}

/** The kubelet path and query for pods/log (upstream ValidatePodLogOptions + LogLocation). */
export function logTarget(pod: Pod, q: URLSearchParams): string {
  const name = pod.metadata?.name ?? '';
  const tailLines = int(q, 'tailLines');
  const limitBytes = int(q, 'limitBytes');
  const sinceSeconds = int(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (sinceTime !== null && Number.isNaN(Date.parse(sinceTime))) throw ApiError.badRequest(`parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
  const errs: FieldError[] = [];
  if (tailLines !== undefined && tailLines < 0) errs.push(fieldErrors.invalid('tailLines', tailLines, 'must be greater than or equal to 0'));
  if (limitBytes !== undefined && limitBytes < 1) errs.push(fieldErrors.invalid('limitBytes', limitBytes, 'must be greater than 0'));
  if (sinceSeconds !== undefined && sinceTime !== null) errs.push(fieldErrors.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  else if (sinceSeconds !== undefined && sinceSeconds < 1) errs.push(fieldErrors.invalid('sinceSeconds', sinceSeconds, 'must be greater than 0'));
  if (errs.length) throw ApiError.invalid('PodLogOptions', '', name, errs);
  const container = podContainer(pod, q.get('container'));
  const params = new URLSearchParams();
  if (truthy(q.get('follow'))) params.set('follow', 'true');
  if (truthy(q.get('previous'))) params.set('previous', 'true');
  if (truthy(q.get('timestamps'))) params.set('timestamps', 'true');
  if (sinceSeconds !== undefined) params.set('sinceSeconds', String(sinceSeconds));
  if (sinceTime !== null) params.set('sinceTime', sinceTime);
  if (tailLines !== undefined) params.set('tailLines', String(tailLines));
  if (limitBytes !== undefined) params.set('limitBytes', String(limitBytes));
  return withQuery(`/containerLogs/${seg(pod.metadata?.namespace)}/${seg(name)}/${seg(container)}`, params);
}

/** The kubelet path and query for pods/exec and pods/attach (upstream streamLocation: input/output/error/tty=1). */
export function streamTarget(kind: 'exec' | 'attach', pod: Pod, q: URLSearchParams): string {
  const container = podContainer(pod, q.get('container'));
  const params = new URLSearchParams();
  if (kind === 'exec') for (const c of q.getAll('command')) params.append('command', c);
  if (truthy(q.get('stdin'))) params.set('input', '1');
  if (truthy(q.get('stdout'))) params.set('output', '1');
  if (truthy(q.get('stderr'))) params.set('error', '1');
  if (truthy(q.get('tty'))) params.set('tty', '1');
  return withQuery(`/${kind}/${seg(pod.metadata?.namespace)}/${seg(pod.metadata?.name)}/${seg(container)}`, params);
}

/** The streams a pods/exec or pods/attach request asks for (PodExecOptions/PodAttachOptions stdin, stdout, stderr, tty). */
export function streamOptions(q: URLSearchParams): { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean } {
  return { stdin: truthy(q.get('stdin')), stdout: truthy(q.get('stdout')), stderr: truthy(q.get('stderr')), tty: truthy(q.get('tty')) };
}

/** The kubelet path and query for pods/portforward (ports, when given, must be valid port numbers). */
export function portForwardTarget(pod: Pod, q: URLSearchParams): string {
  const params = new URLSearchParams();
  for (const p of q.getAll('ports')) {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw ApiError.badRequest(`port ${p} must be > 0 and < 65536`);
    params.append('ports', p);
  }
  return withQuery(`/portForward/${seg(pod.metadata?.namespace)}/${seg(pod.metadata?.name)}`, params);
}

const seg = (s: string | undefined): string => encodeURIComponent(s ?? '');

function withQuery(path: string, params: URLSearchParams): string {
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}
