// Cross-checks strategic merge patch against upstream's own code: `kubectl patch --local --type=strategic` applies
// the patch client-side with k8s.io/apimachinery's strategicpatch, so its output is the reference. Skipped when
// no kubectl binary is installed; talks to no server.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { applyPatch } from './index.ts';
import type { KubeObject } from '../../../api/object.ts';

const kubectl = ['/usr/lib/google-cloud-sdk/bin/kubectl.1.32', '/usr/bin/kubectl'].find((p) => existsSync(p));
const dir = mkdtempSync(join(tmpdir(), 'skiff-smp-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web', tier: 'fe' }, finalizers: ['a.example/x', 'b.example/y'] },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'nginx', image: 'nginx:1.24',
            ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443, protocol: 'TCP' }],
            env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
          { name: 'sidecar', image: 'busybox', args: ['sleep', '3600'] },
        ],
        volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg' } }],
        tolerations: [{ key: 'k', operator: 'Exists' }],
        imagePullSecrets: [{ name: 'reg' }],
      },
    },
  },
};

const cases: Record<string, unknown> = {
  'change image by merge key': { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } } },
  'add container (goes first)': { spec: { template: { spec: { containers: [{ name: 'new', image: 'x' }] } } } },
  'delete container by $patch': { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } },
  'replace whole list by $patch element': {
    spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'o' }] } } },
  },
  'null deletes label, add label': { metadata: { labels: { tier: null, env: 'prod' } } },
  'finalizers merge as set': { metadata: { finalizers: ['c.example/z', 'a.example/x'] } },
  '$deleteFromPrimitiveList': { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.example/x'] } },
  'tolerations replaced (no merge key)': { spec: { template: { spec: { tolerations: [{ key: 'other', operator: 'Exists' }] } } } },
  'args replaced (atomic)': { spec: { template: { spec: { containers: [{ name: 'sidecar', args: ['true'] }] } } } },
  'retainKeys on strategy': { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } },
  'map $patch replace': { spec: { selector: { $patch: 'replace', matchLabels: { app: 'other' } } } },
  'env merge and order': {
    spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'C', value: '3' }, { name: 'A', value: '9' }] }] } } },
  },
  'three-way apply patch: image change, remove a port': {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }],
          containers: [{
            '$setElementOrder/ports': [{ containerPort: 80 }],
            name: 'nginx', image: 'nginx:1.25', ports: [{ $patch: 'delete', containerPort: 443 }],
          }],
        },
      },
    },
  },
  '$setElementOrder reorders volumes': {
    spec: { template: { spec: { '$setElementOrder/volumes': [{ name: 'cfg' }, { name: 'new' }, { name: 'data' }], volumes: [{ name: 'new', emptyDir: {} }] } } },
  },
  'volume source switch with retainKeys': {
    spec: { template: { spec: { volumes: [{ name: 'data', $retainKeys: ['hostPath', 'name'], hostPath: { path: '/x' } }] } } },
  },
  'imagePullSecrets merge by name': { spec: { template: { spec: { imagePullSecrets: [{ name: 'other' }] } } } },
  'type change replaces': { spec: { replicas: 5, paused: true } },
  'kubectl apply deleting a container with $setElementOrder': {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ $patch: 'delete', name: 'sidecar' }] } } },
  },
  '$setElementOrder that omits a server-only item': {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'x' }, { name: 'nginx' }], containers: [{ name: 'x', image: 'x' }] } } },
  },
  '$setElementOrder on finalizers with additions and deletions': {
    metadata: {
      '$setElementOrder/finalizers': ['z.example/z', 'b.example/y'], finalizers: ['z.example/z'],
      '$deleteFromPrimitiveList/finalizers': ['a.example/x'],
    },
  },
  'env var switch value to valueFrom': {
    spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'A', value: null, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }] } } },
  },
  'new map with nested nulls is cleaned': { spec: { template: { spec: { securityContext: { runAsUser: 1000, fsGroup: null } } } } },
  // Upstream merges in place over the live list and orders by the mutated array: the deletion of nginx shifts
  // sidecar forward and the new container lands in the freed slot, so sidecar stays ahead of it.
  'deletion + addition under $setElementOrder (Go slice aliasing)': {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }], containers: [{ name: 'b', image: 'b' }, { name: 'nginx', $patch: 'delete' }] } } },
  },
  '$setElementOrder check skips a $patch: replace element': {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }], containers: [{ name: 'nginx', image: 'n' }, { $patch: 'replace' }] } } },
  },
  'volumeMounts merge by mountPath': {
    spec: { template: { spec: { containers: [{ name: 'nginx', volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'data2', mountPath: '/data' }] }] } } },
  },
};

describe('strategic merge patch matches kubectl (upstream strategicpatch)', { skip: kubectl ? false : 'no kubectl' }, () => {
  const file = join(dir, 'deploy.json');
  writeFileSync(file, JSON.stringify(deployment));
  for (const [name, patch] of Object.entries(cases)) {
    it(name, () => {
      const out = execFileSync(kubectl!, ['patch', '--local', '-f', file, '--type=strategic', '-p', JSON.stringify(patch), '-o', 'json'], {
        encoding: 'utf8', env: { ...process.env, KUBECONFIG: join(dir, 'none') },
      });
      const expected = JSON.parse(out) as unknown;
      const actual = applyPatch({ obj: deployment, patchType: 'strategic', patch: JSON.stringify(patch), kindKey: 'apps/v1/Deployment' });
      assert.deepEqual(actual, expected);
    });
  }
});

const pod: KubeObject = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'p', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }] },
  spec: {
    containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] }],
    nodeSelector: { a: 'b' },
  },
  status: {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False' }],
    podIPs: [{ ip: '10.0.0.1' }],
  },
};

const podCases: Record<string, unknown> = {
  'ports merge by containerPort (new first)': { spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] } },
  'status conditions merge by type (kubelet status patch)': {
    status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }] },
  },
  'ownerReferences delete by uid': { metadata: { ownerReferences: [{ uid: 'u1', $patch: 'delete' }] } },
  'map $patch delete leaves an empty map': { spec: { nodeSelector: { $patch: 'delete' } } },
  'nodeSelector merges key by key in SMP': { spec: { nodeSelector: { c: 'd' } } },
};

const podErrors: Record<string, unknown> = {
  'missing merge key': { spec: { containers: [{ image: 'x' }] } },
  'unknown $patch': { $patch: 'bogus' },
  '$patch merge in a list': { spec: { containers: [{ name: 'c', $patch: 'merge' }] } },
};

describe('strategic merge patch on a Pod matches kubectl', { skip: kubectl ? false : 'no kubectl' }, () => {
  const file = join(dir, 'pod.json');
  writeFileSync(file, JSON.stringify(pod));
  const run = (patch: unknown): { out: string; err: string } => {
    try {
      const out = execFileSync(kubectl!, ['patch', '--local', '-f', file, '--type=strategic', '-p', JSON.stringify(patch), '-o', 'json'], {
        encoding: 'utf8', env: { ...process.env, KUBECONFIG: join(dir, 'none') }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      return { out, err: '' };
    } catch (e) {
      return { out: '', err: String((e as { stderr?: string }).stderr ?? '') };
    }
  };
  for (const [name, patch] of Object.entries(podCases)) {
    it(name, () => {
      const actual = applyPatch({ obj: pod, patchType: 'strategic', patch: JSON.stringify(patch), kindKey: 'v1/Pod' });
      assert.deepEqual(actual, JSON.parse(run(patch).out));
    });
  }
  for (const [name, patch] of Object.entries(podErrors)) {
    it(`error: ${name}`, () => {
      const expected = run(patch).err.replace(/^error: /, '').trim();
      assert.throws(
        () => applyPatch({ obj: pod, patchType: 'strategic', patch: JSON.stringify(patch), kindKey: 'v1/Pod' }),
        // kubectl's words; Skiff answers them as a 400 (upstream's server gives 500, see strategic.ts).
        (e: { code: number; status: { message: string } }) => e.code === 400 && e.status.message === expected,
      );
    });
  }
});
