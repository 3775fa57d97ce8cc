// One sync of one Deployment (upstream pkg/controller/deployment/sync.go): find or create the new ReplicaSet
// (named `<deployment>-<pod-template-hash>`), scale ReplicaSets with events (proportionally mid-rollout), clean
// up old revisions, write status (computed in deployment-progress.ts). A DeploymentSync lives for one reconcile
// and keeps the latest Deployment and ReplicaSets it wrote, so later steps of the same sync build on them.
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Clock } from '../../client/clock.ts';
import { isAlreadyExists, isNotFound } from '../../client/errors.ts';
import { type EventRecorder, formatTime } from '../../client/events.ts';
import type { Lister } from '../../client/cache.ts';
import type { RestClient } from '../../client/rest.ts';
import { errMessage } from './base.ts';
import { controllerRefOf, ownerReferenceTo } from './controller-ref.ts';
import { deploymentsRef, replicaSetsRef } from './refs.ts';
import * as u from './deployment-util.ts';

export interface SyncDeps {
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  rsLister: Lister<ReplicaSet>;
  signal: AbortSignal;
}

export class DeploymentSync {
  constructor(readonly deps: SyncDeps, public d: Deployment, public rsList: ReplicaSet[]) {}

  now(): string {
    return formatTime(this.deps.clock.now());
  }

  private get opts() {
    return { namespace: this.d.metadata?.namespace, signal: this.deps.signal };
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.recorder.event({ ...this.d, apiVersion: 'apps/v1', kind: 'Deployment' }, type, reason, message);
  }

  private remember(rs: ReplicaSet): ReplicaSet {
    const i = this.rsList.findIndex((x) => x.metadata?.uid === rs.metadata?.uid);
    if (i >= 0) this.rsList[i] = rs;
    else this.rsList.push(rs);
    return rs;
  }

  /** The new ReplicaSet (created when `create` and none matches the template) and all the others. */
  async allReplicaSets(create: boolean): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
    const sorted = [...this.rsList].sort(u.byCreation);
    const existing = sorted.find((rs) => u.equalIgnoreHash(rs.spec?.template, this.d.spec?.template));
    const oldRSs = sorted.filter((rs) => rs !== existing);
    const newRS = await this.newReplicaSet(existing, oldRSs, create);
    return { newRS, oldRSs };
  }

  private async newReplicaSet(existing: ReplicaSet | undefined, oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const newRevision = u.maxRevision(oldRSs) + 1;
    if (existing) return this.syncExistingNewReplicaSet(existing, newRevision);
    return create ? this.createNewReplicaSet(oldRSs, newRevision) : undefined;
  }

  /** The template's ReplicaSet exists: bring its annotations and minReadySeconds up to date. */
  private async syncExistingNewReplicaSet(existing: ReplicaSet, newRevision: number): Promise<ReplicaSet> {
    const copy = structuredClone(existing);
    const annotationsChanged = u.setNewReplicaSetAnnotations(this.d, copy, newRevision, true);
    const minReady = this.d.spec?.minReadySeconds ?? 0;
    if (annotationsChanged || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
      copy.spec = { ...copy.spec!, minReadySeconds: minReady };
      return this.remember(await this.deps.client.update<ReplicaSet>(replicaSetsRef, copy, this.opts));
    }
    await this.setRevision(copy.metadata?.annotations?.[u.revisionAnnotation] ?? '');
    if (!u.getCondition(this.d.status, 'Progressing')) {
      const status = structuredClone(this.d.status ?? {});
      u.setCondition(status, u.newCondition('Progressing', 'True', u.reasons.foundNewReplicaSet, `Found new replica set "${copy.metadata?.name}"`, this.now()));
      await this.writeStatus(status);
    }
    return copy;
  }

  /** `<deployment>-<hash>` with the template labelled and selected by pod-template-hash, sized for the rollout. */
  private async createNewReplicaSet(oldRSs: ReplicaSet[], newRevision: number): Promise<ReplicaSet> {
    const d = this.d;
    const hash = u.computeHash(d.spec?.template, d.status?.collisionCount);
    const template = structuredClone(d.spec?.template ?? {});
    template.metadata = { ...template.metadata, labels: { ...(template.metadata?.labels ?? {}), [u.podTemplateHashLabel]: hash } };
    const selector = structuredClone(d.spec!.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [u.podTemplateHashLabel]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata?.name}-${hash}`,
        namespace: d.metadata?.namespace,
        labels: { ...template.metadata.labels },
        ownerReferences: [ownerReferenceTo({ ...d, metadata: d.metadata ?? {} }, 'apps/v1', 'Deployment')],
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    const replicas = u.newRSNewReplicas(d, [...oldRSs, rs], rs);
    rs.spec!.replicas = replicas;
    u.setNewReplicaSetAnnotations(d, rs, newRevision, false);
    const { created, alreadyExisted } = await this.createOrAdopt(rs);
    this.remember(created);
    if (!alreadyExisted && replicas > 0) this.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name} from 0 to ${replicas}`);
    await this.setRevision(String(newRevision));
    if (!alreadyExisted && u.hasProgressDeadline(d)) {
      const status = structuredClone(this.d.status ?? {});
      u.setCondition(status, u.newCondition('Progressing', 'True', u.reasons.newReplicaSet, `Created new replica set "${created.metadata?.name}"`, this.now()));
      await this.writeStatus(status);
    }
    return created;
  }

  /** Creates rs; one already there that is ours with the same template counts; another name holder is a hash
   *  collision (collisionCount is bumped so the next sync picks another name). */
  private async createOrAdopt(rs: ReplicaSet): Promise<{ created: ReplicaSet; alreadyExisted: boolean }> {
    const d = this.d;
    const name = rs.metadata!.name!;
    try {
      return { created: await this.deps.client.create<ReplicaSet>(replicaSetsRef, rs, this.opts), alreadyExisted: false };
    } catch (err) {
      if (isAlreadyExists(err)) {
        const found = this.deps.rsLister.get(d.metadata?.namespace, name);
        if (found && controllerRefOf(found)?.uid === d.metadata?.uid && u.equalIgnoreHash(d.spec?.template, found.spec?.template)) {
          return { created: found, alreadyExisted: true };
        }
        const status = structuredClone(this.d.status ?? {});
        status.collisionCount = (status.collisionCount ?? 0) + 1;
        await this.writeStatus(status);
        throw err;
      }
      const msg = `Failed to create new replica set "${name}": ${errMessage(err)}`;
      if (u.hasProgressDeadline(d)) {
        const status = structuredClone(this.d.status ?? {});
        u.setCondition(status, u.newCondition('Progressing', 'False', u.reasons.failedRSCreate, msg, this.now()));
        await this.writeStatus(status);
      }
      this.event('Warning', u.reasons.failedRSCreate, msg);
      throw err;
    }
  }

  /** The deployment's revision annotation follows its new ReplicaSet's (metadata, so a patch, not a status write). */
  private async setRevision(revision: string): Promise<void> {
    if (!revision || this.d.metadata?.annotations?.[u.revisionAnnotation] === revision) return;
    this.d = await this.deps.client.patch<Deployment>(deploymentsRef, this.d.metadata?.name ?? '',
      { metadata: { annotations: { [u.revisionAnnotation]: revision } } }, 'merge', this.opts);
  }

  async writeStatus(status: DeploymentStatus): Promise<void> {
    this.d = await this.deps.client.updateStatus<Deployment>(deploymentsRef, { ...this.d, apiVersion: 'apps/v1', kind: 'Deployment', status }, this.opts);
  }

  async scaleAndRecord(rs: ReplicaSet, to: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const from = rs.spec?.replicas ?? 0;
    if (from === to) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, to, from < to ? 'up' : 'down');
  }

  async scaleReplicaSet(rs: ReplicaSet, to: number, op: string): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const desired = u.specReplicas(this.d);
    const max = desired + u.maxSurge(this.d);
    const from = rs.spec?.replicas ?? 0;
    const sizeChanged = from !== to;
    if (!sizeChanged && !u.replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const copy = structuredClone(rs);
    copy.spec = { ...copy.spec!, replicas: to };
    u.setReplicasAnnotations(copy, desired, max);
    const updated = this.remember(await this.deps.client.update<ReplicaSet>(replicaSetsRef, copy, this.opts));
    if (sizeChanged) this.event('Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${updated.metadata?.name} from ${from} to ${to}`);
    return { scaled: sizeChanged, rs: updated };
  }

  /** Upstream scale(): a scaling event (or a paused deployment) resizes ReplicaSets, proportionally mid-rollout. */
  async scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const d = this.d;
    const desired = u.specReplicas(d);
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if ((activeOrLatest.spec?.replicas ?? 0) !== desired) await this.scaleAndRecord(activeOrLatest, desired);
      return;
    }
    if (u.isSaturated(d, newRS)) {
      for (const old of u.activeReplicaSets(oldRSs)) await this.scaleAndRecord(old, 0);
      return;
    }
    if ((d.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return;
    const all = u.activeReplicaSets([...oldRSs, newRS]);
    const allowed = desired > 0 ? desired + u.maxSurge(d) : 0;
    const toAdd = allowed - u.sumSpecReplicas(all);
    let op = '';
    if (toAdd > 0) {
      all.sort(u.bySize(true));
      op = 'up';
    } else if (toAdd < 0) {
      all.sort(u.bySize(false));
      op = 'down';
    }
    let added = 0;
    const sizes = new Map<ReplicaSet, number>();
    for (const rs of all) {
      if (toAdd === 0) {
        sizes.set(rs, rs.spec?.replicas ?? 0);
        continue;
      }
      const p = proportion(rs, d, toAdd, added);
      sizes.set(rs, (rs.spec?.replicas ?? 0) + p);
      added += p;
    }
    for (let i = 0; i < all.length; i++) {
      const rs = all[i];
      if (i === 0 && toAdd !== 0) sizes.set(rs, Math.max(0, sizes.get(rs)! + toAdd - added)); // leftovers to the largest
      await this.scaleReplicaSet(rs, sizes.get(rs)!, op);
    }
  }

  /** Deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
  async cleanup(oldRSs: ReplicaSet[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp).sort(u.byRevision);
    const excess = cleanable.length - limit;
    for (let i = 0; i < excess; i++) {
      const rs = cleanable[i];
      if ((rs.status?.replicas ?? 0) !== 0 || (rs.spec?.replicas ?? 0) !== 0) continue;
      if ((rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.deps.client.delete(replicaSetsRef, rs.metadata?.name ?? '', { ...this.opts, preconditions: { uid: rs.metadata?.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }
}

/** The one active ReplicaSet, or the newest when none is active; undefined when several are active. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && !oldRSs.length) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => u.byCreation(b, a));
  const active = u.activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** Upstream GetProportion: this ReplicaSet's share of a resize, by its size relative to the last one it saw. */
function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  const size = rs.spec?.replicas ?? 0;
  if (size === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (u.specReplicas(d) === 0) fraction = -size;
  else {
    const total = u.specReplicas(d) + u.maxSurge(d);
    const annotated = Number(rs.metadata?.annotations?.[u.maxReplicasAnnotation]);
    const base = Number.isInteger(annotated) && rs.metadata?.annotations?.[u.maxReplicasAnnotation] !== undefined ? annotated : (d.status?.replicas ?? 0);
    // no record of the size it was scaled for: leave it to the leftover step (upstream would divide by zero)
    if (base <= 0) return 0;
    const exact = (size * total) / base;
    fraction = (exact < 0 ? -Math.round(-exact) : Math.round(exact)) - size;
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}
