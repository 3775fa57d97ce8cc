// Finds a pod's containers and sandbox in the runtime by the labels the kubelet puts on them
// (io.kubernetes.pod.{namespace,name}, io.kubernetes.container.name), for the kubelet's HTTPS API. Errors carry
// upstream's HTTP status and message so the API server can relay them.
import type { CriClient } from '../cri/client.ts';
import type { Container } from '../cri/types.ts';
import { containerNameLabel, podNameLabel, podNamespaceLabel, podUidLabel } from './runtime-config.ts';

export class KubeletHttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** The pod's instances of container name, newest first (the latest pod UID only: a re-created pod starts over). */
export async function containerAttempts(cri: CriClient, ns: string, pod: string, name: string): Promise<Container[]> {
  const all = await cri.listContainers({ labelSelector: { [podNamespaceLabel]: ns, [podNameLabel]: pod, [containerNameLabel]: name } });
  all.sort((a, b) => b.createdAt - a.createdAt);
  const uid = all[0]?.labels[podUidLabel];
  return all.filter((c) => c.labels[podUidLabel] === uid);
}

/** The container a stream attaches to: the newest one, which must be running. */
export async function runningContainer(cri: CriClient, ns: string, pod: string, name: string): Promise<Container> {
  const [latest] = await containerAttempts(cri, ns, pod, name);
  if (!latest) throw new KubeletHttpError(404, `container not found ("${name}")`);
  if (latest.state !== 'CONTAINER_RUNNING') throw new KubeletHttpError(400, `container ${name} is not running`);
  return latest;
}

/** The pod's ready sandbox (port-forward connects into its network namespace). */
export async function readySandbox(cri: CriClient, ns: string, pod: string): Promise<string> {
  const boxes = await cri.listPodSandbox({ labelSelector: { [podNamespaceLabel]: ns, [podNameLabel]: pod } });
  const ready = boxes.filter((b) => b.state === 'SANDBOX_READY').sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!ready) throw new KubeletHttpError(404, `pod "${pod}" in namespace "${ns}" not found`);
  return ready.id;
}
