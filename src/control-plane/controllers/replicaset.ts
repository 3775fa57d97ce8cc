// ReplicaSet controller (in progress).
import type { ControllerContext } from './context.ts';

export async function startReplicaSetController(ctx: ControllerContext): Promise<void> {
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
}
