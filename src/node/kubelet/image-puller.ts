// Pulls a container's image according to its imagePullPolicy, as upstream's image manager: IfNotPresent pulls only
// when the runtime lacks the image, Always pulls every time, Never fails with ErrImageNeverPull. A failed pull is
// ErrImagePull, and retries within the per-(pod, image) backoff report ImagePullBackOff. Events carry upstream's
// reasons and messages (Pulling, Pulled, Failed, BackOff).
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/index.ts';
import { type CriClient, rpcErrorText } from '../cri/client.ts';
import type { Backoff } from '../../client/backoff.ts';
import type { Waiting } from './pod-status.ts';

export type PullResult = { image: string } | { waiting: Waiting };

/** The API server defaults the policy; a pod from elsewhere gets the same rule (":latest" or no tag -> Always). */
export function pullPolicy(c: Container): string {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  const tagged = /:[\w][\w.-]*$/.test(image.slice(image.lastIndexOf('/') + 1)) || image.includes('@');
  return !tagged || image.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

export class ImagePuller {
  /** How long until the image of c may be pulled again for pod (0: now). */
  retryIn(pod: Pod, c: Container): number {
    return this.backoff.remaining(`${pod.metadata?.uid ?? ''}_${c.image ?? ''}`);
  }

  constructor(private readonly cri: CriClient, private readonly recorder: EventRecorder, private readonly backoff: Backoff) {}

  async ensure(pod: Pod, c: Container, signal?: AbortSignal): Promise<PullResult> {
    const image = c.image ?? '';
    const policy = pullPolicy(c);
    const present = policy === 'Always' ? null : await this.cri.imageStatus({ image }, { signal });
    if (present) {
      this.recorder.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return { image };
    }
    if (policy === 'Never') {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      this.recorder.event(pod, 'Warning', 'ErrImageNeverPull', message);
      return { waiting: { reason: 'ErrImageNeverPull', message } };
    }
    const key = `${pod.metadata?.uid ?? ''}_${image}`;
    if (this.backoff.remaining(key) > 0) {
      this.recorder.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
      this.recorder.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
      return { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } };
    }
    this.recorder.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const started = Date.now();
    try {
      await this.cri.pullImage({ image }, undefined, undefined, { signal });
    } catch (err) {
      if (signal?.aborted) throw err;
      this.backoff.next(key);
      const detail = rpcErrorText(err);
      this.recorder.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${detail}`);
      this.recorder.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
      return { waiting: { reason: 'ErrImagePull', message: detail } };
    }
    this.backoff.reset(key);
    const took = ((Date.now() - started) / 1000).toFixed(3);
    const size = (await this.cri.imageStatus({ image }, { signal }))?.size ?? 0;
    this.recorder.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took}s (${took}s including waiting). Image size: ${size} bytes.`);
    return { image };
  }
}
