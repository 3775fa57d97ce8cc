// Upstream's controller.PodControl.CreatePods for the controllers that own pods (ReplicaSet/ReplicationController,
// DaemonSet, Job): create the pod, and record on the owner SuccessfulCreate ("Created pod: X") or FailedCreate
// ("Error creating: …"). A pod with generateName gets 5 random characters; at thousands of pods a clash is likely
// and only means "draw again", so an AlreadyExists is retried twice before it counts as a failure.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists } from '../../client/errors.ts';
import type { EventRecorder } from '../../client/events.ts';
import type { ApiObject } from '../../client/types.ts';
import type { RestClient } from '../../client/rest.ts';
import { errMessage } from './base.ts';
import { podsRef } from './refs.ts';

export async function createControlledPod(client: RestClient, recorder: EventRecorder, owner: ApiObject, pod: Pod, signal: AbortSignal): Promise<Pod> {
  try {
    const created = await createWithFreshName(client, pod, signal);
    recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
    return created;
  } catch (err) {
    recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${errMessage(err)}`);
    throw err;
  }
}

async function createWithFreshName(client: RestClient, pod: Pod, signal: AbortSignal): Promise<Pod> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.create<Pod>(podsRef, pod, { namespace: pod.metadata?.namespace, signal });
    } catch (err) {
      if (!pod.metadata?.generateName || !isAlreadyExists(err) || attempt >= 2) throw err;
    }
  }
}
