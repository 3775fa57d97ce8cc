// Pulls a container's image according to its imagePullPolicy, as upstream's image manager: IfNotPresent pulls only
// when the runtime lacks the image, Always pulls every time, Never fails with ErrImageNeverPull. A pull uses the
// credentials the pod's imagePullSecrets hold for the image's registry (credential-keyring.ts), trying each match
// in turn as upstream does, and none when nothing matches. A failed pull is ErrImagePull, and retries within the
// per-(pod, image) backoff report ImagePullBackOff. Events carry upstream's reasons and messages (Pulling, Pulled,
// Failed, BackOff) and name the container (fieldPath).
import type { Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../client/index.ts';
import { type CriClient, rpcErrorText } from '../cri/client.ts';
import type { Backoff } from '../../client/backoff.ts';
import { containerRef } from './container-ref.ts';
import { CredentialKeyring } from './credential-keyring.ts';
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

  constructor(
    private readonly cri: CriClient,
    private readonly recorder: EventRecorder,
    private readonly backoff: Backoff,
    /** The pod's imagePullSecrets that exist (undefined for one that cannot be read). */
    private readonly secret: (namespace: string, name: string) => Promise<Secret | undefined> = async () => undefined,
  ) {}

  /** Upstream's getPullSecretsForPod: the secrets found; the missing ones are named in one Warning event. */
  private async pullSecrets(pod: Pod): Promise<Secret[]> {
    const found: Secret[] = [];
    const missing: string[] = [];
    for (const ref of pod.spec?.imagePullSecrets ?? []) {
      if (!ref.name) continue;
      const s = await this.secret(pod.metadata?.namespace ?? 'default', ref.name).catch(() => undefined);
      if (s) found.push(s);
      else missing.push(ref.name);
    }
    if (missing.length) {
      this.recorder.event(pod, 'Warning', 'FailedToRetrieveImagePullSecret',
        `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`);
    }
    return found;
  }

  /** Pulls with each matching credential until one works (none match: no credentials); throws the errors. */
  private async pull(pod: Pod, image: string, signal?: AbortSignal): Promise<void> {
    const creds = new CredentialKeyring(await this.pullSecrets(pod)).lookup(image);
    if (!creds.length) {
      await this.cri.pullImage({ image }, undefined, undefined, { signal });
      return;
    }
    const errors: string[] = [];
    for (const auth of creds) {
      try {
        await this.cri.pullImage({ image }, auth, undefined, { signal });
        return;
      } catch (err) {
        if (signal?.aborted) throw err;
        errors.push(rpcErrorText(err));
      }
    }
    // upstream's utilerrors.NewAggregate: one error as it is, several as "[a, b]"
    throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  }

  async ensure(pod: Pod, c: Container, signal?: AbortSignal): Promise<PullResult> {
    const image = c.image ?? '';
    const ref = containerRef(pod, c.name);
    const policy = pullPolicy(c);
    const present = policy === 'Always' ? null : await this.cri.imageStatus({ image }, { signal });
    if (present) {
      this.recorder.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, ref);
      return { image };
    }
    if (policy === 'Never') {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      this.recorder.event(pod, 'Warning', 'ErrImageNeverPull', message, ref);
      return { waiting: { reason: 'ErrImageNeverPull', message } };
    }
    const key = `${pod.metadata?.uid ?? ''}_${image}`;
    if (this.backoff.remaining(key) > 0) {
      this.recorder.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`, ref);
      this.recorder.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', ref);
      return { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } };
    }
    this.recorder.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, ref);
    const started = Date.now();
    try {
      await this.pull(pod, image, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      this.backoff.next(key);
      const detail = rpcErrorText(err);
      this.recorder.event(pod, 'Warning', 'Failed', `Failed to pull image "${image}": ${detail}`, ref);
      this.recorder.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', ref);
      return { waiting: { reason: 'ErrImagePull', message: detail } };
    }
    this.backoff.reset(key);
    const took = ((Date.now() - started) / 1000).toFixed(3);
    const size = (await this.cri.imageStatus({ image }, { signal }))?.size ?? 0;
    this.recorder.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took}s (${took}s including waiting). Image size: ${size} bytes.`, ref);
    return { image };
  }
}
