// An in-memory ObjectReader for the authorizers' unit tests: pods, claims and nodes given as plain objects.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import type { ObjectReader } from './node-graph.ts';

export class FakeReader implements ObjectReader {
  scans = 0;

  constructor(private readonly objects: { resource: string; object: KubeObject | Pod }[]) {}

  async podsOnNode(node: string, namespace: string): Promise<Pod[]> {
    this.scans++;
    return this.objects
      .filter((o) => o.resource === 'pods')
      .map((o) => o.object as Pod)
      .filter((p) => p.spec?.nodeName === node && (!namespace || p.metadata?.namespace === namespace));
  }

  async get<T>(resource: string, namespace: string, name: string): Promise<T | undefined> {
    const hit = this.objects.find((o) => o.resource === resource && o.object.metadata?.name === name && (o.object.metadata?.namespace ?? '') === namespace);
    return hit?.object as T | undefined;
  }
}
