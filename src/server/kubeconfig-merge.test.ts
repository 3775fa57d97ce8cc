import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { mergeKubeconfig, removeFromKubeconfig } from './kubeconfig-merge.ts';
import { kubeconfigYaml } from './kubeconfig.ts';

const ours = kubeconfigYaml({ server: 'https://127.0.0.1:6443', ca: 'CA', token: 'secret' });

const theirs = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {server: 'https://prod:6443'}
users:
- name: alice
  user: {token: t}
contexts:
- name: prod
  context: {cluster: prod, user: alice, namespace: web}
current-context: prod
preferences: {colors: true}
`;

interface Cfg {
  clusters: { name: string; cluster: { server: string } }[];
  users: { name: string; user: Record<string, string> }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  'current-context': string;
  preferences: Record<string, unknown>;
}

test('a new file gets only the skiff entries, current', () => {
  const cfg = parse(mergeKubeconfig(undefined, ours, 'x')) as Cfg;
  assert.deepEqual(cfg.clusters.map((c) => c.name), ['skiff']);
  assert.deepEqual(cfg.contexts[0].context, { cluster: 'skiff', user: 'skiff' });
  assert.equal(cfg['current-context'], 'skiff');
  assert.equal(cfg.users[0].user.token, 'secret');
});

test('merging keeps the other clusters, users, contexts and preferences and makes skiff current', () => {
  const cfg = parse(mergeKubeconfig(theirs, ours, 'x')) as Cfg;
  assert.deepEqual(cfg.clusters.map((c) => c.name), ['prod', 'skiff']);
  assert.deepEqual(cfg.users.map((c) => c.name), ['alice', 'skiff']);
  assert.deepEqual(cfg.contexts.map((c) => c.name), ['prod', 'skiff']);
  assert.deepEqual(cfg.contexts[0].context, { cluster: 'prod', user: 'alice', namespace: 'web' });
  assert.equal(cfg['current-context'], 'skiff');
  assert.deepEqual(cfg.preferences, { colors: true });
});

test('merging again replaces the skiff entries instead of adding more', () => {
  const newer = kubeconfigYaml({ server: 'https://127.0.0.1:7443', ca: 'CA2', token: 'other' });
  const cfg = parse(mergeKubeconfig(mergeKubeconfig(theirs, ours, 'x'), newer, 'x')) as Cfg;
  assert.deepEqual(cfg.clusters.map((c) => c.name), ['prod', 'skiff']);
  assert.equal(cfg.clusters[1].cluster.server, 'https://127.0.0.1:7443');
  assert.equal(cfg.users[1].user.token, 'other');
});

test('an empty file is a new one; what is not a kubeconfig is refused, not overwritten', () => {
  assert.equal((parse(mergeKubeconfig('', ours, 'x')) as Cfg).clusters.length, 1);
  assert.throws(() => mergeKubeconfig('just text', ours, '/p'), /\/p is not a kubeconfig \(not a YAML mapping\); not overwriting it/);
  assert.throws(() => mergeKubeconfig('kind: Pod\n', ours, '/p'), /kind Pod/);
  assert.throws(() => mergeKubeconfig('clusters: {a: 1}\n', ours, '/p'), /clusters is not a list/);
  assert.throws(() => mergeKubeconfig('a: [\n', ours, '/p'), /\/p is not a kubeconfig/);
});

test('removing takes out only the skiff entries; a file with nothing else is empty', () => {
  const merged = mergeKubeconfig(theirs, ours, 'x');
  const r = removeFromKubeconfig(merged, 'x');
  assert.equal(r.removed, true);
  assert.equal(r.empty, false);
  const cfg = parse(r.text) as Cfg;
  assert.deepEqual([cfg.clusters, cfg.users, cfg.contexts].map((l) => l.map((e) => e.name)), [['prod'], ['alice'], ['prod']]);
  assert.equal(cfg['current-context'], '');
  const alone = removeFromKubeconfig(mergeKubeconfig(undefined, ours, 'x'), 'x');
  assert.equal(alone.empty, true);
  assert.equal(removeFromKubeconfig(theirs, 'x').removed, false);
});
